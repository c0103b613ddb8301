from .router import router
