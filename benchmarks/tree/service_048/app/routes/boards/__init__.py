from .router import router
from .cards.router import router as cards_router
from .members.router import router as members_router

router.include_router(cards_router)
router.include_router(members_router)
