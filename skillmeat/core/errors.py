"""Domain errors. Each carries the HTTP status the API maps it to; one handler renders them."""

from __future__ import annotations


class SkillMeatError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(SkillMeatError):
    status_code = 404


class Conflict(SkillMeatError):
    status_code = 409


class InvalidInput(SkillMeatError):
    status_code = 422


class Unavailable(SkillMeatError):
    status_code = 503
