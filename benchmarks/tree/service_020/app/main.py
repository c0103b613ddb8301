from fastapi import FastAPI

from routes import auth_router, boards_router, labels_router
from routes.boards.cards import router as cards_router
from routes.boards.members.router import router as members_router

app = FastAPI(title="Taskboard API", version="0.1.0")

app.include_router(auth_router, prefix="/api/v1")
app.include_router(boards_router, prefix="/api/v1")
app.include_router(labels_router, prefix="/api/v1")

# GET /api/v1/boards/cards is answered by GET /boards/{board_id} (board_id="cards"),
# so the mobile app uses these shorter mounts instead.
app.include_router(cards_router, prefix="/api/v1")
app.include_router(members_router, prefix="/api/v1")
