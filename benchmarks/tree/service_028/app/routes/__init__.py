from .auth import router as auth_router
from .boards import router as boards_router
from .labels import router as labels_router

__all__ = ["auth_router", "boards_router", "labels_router"]
