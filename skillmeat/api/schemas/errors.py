"""Error bodies, documented once for every API route."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorResponse(BaseModel):
    detail: str
    field: str | None = Field(default=None, description="The request field it is about, if one.")


class ValidationErrorResponse(BaseModel):
    """422: a sentence from our own checks, or FastAPI's list of field errors."""

    detail: str | list[dict[str, Any]]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "API token required"},
    403: {"model": ErrorResponse, "description": "Wrong API token or CSRF token"},
    404: {"model": ErrorResponse, "description": "Source or entry not found"},
    409: {"model": ErrorResponse, "description": "Conflicts with the current state"},
    413: {"model": ErrorResponse, "description": "Request body too large"},
    422: {"model": ValidationErrorResponse, "description": "Invalid input"},
    429: {"model": ErrorResponse, "description": "Repository host rate limit, or as many scans "
                                                  "or browses running as the server allows "
                                                  "(see Retry-After)"},
    502: {"model": ErrorResponse, "description": "Repository host failed"},
    503: {"model": ErrorResponse, "description": "Database unavailable or busy (see Retry-After)"},
    504: {"model": ErrorResponse, "description": "Repository host did not answer before "
                                                  "SKILLMEAT_SCAN_DEADLINE_SECONDS"},
}
