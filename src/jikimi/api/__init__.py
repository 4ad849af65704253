"""jikimi's HTTP face: FastAPI routers over the domain packages, and the app that mounts them."""
