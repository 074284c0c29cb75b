"""The FastAPI-role layer: typed routes (``APIRoute``/``APIRouter``) and the API app."""
