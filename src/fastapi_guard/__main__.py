from fastapi_guard.cli import main

main()
