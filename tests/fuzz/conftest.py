"""The API fuzz tests start apps the way the API tests do."""

from api.conftest import api_data_dir, make_api

__all__ = ["api_data_dir", "make_api"]
