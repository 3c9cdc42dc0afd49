"""Errors are declared one way (healthcode/errors.py): every domain error is a class in an `errors.py`, with its own
code and a Chinese message, and a raise site gives at most a message."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import healthcode
from healthcode.errors import DomainError, Invalid, NotFound


def error_classes() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(healthcode.__path__, "healthcode."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    todo: list[type[DomainError]] = [DomainError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("healthcode.")]


@pytest.mark.parametrize("cls", error_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_domain_error_is_declared_in_an_errors_module_with_its_code_and_a_chinese_message(cls: type) -> None:
    assert cls.__module__ == "healthcode.errors" or cls.__module__.endswith(".errors")
    assert cls.code and cls.code.isascii() and cls.code == cls.code.lower()
    assert cls.message and not cls.message.isascii()
    assert 400 <= cls.status_code < 600


def test_a_raise_site_gives_a_message_or_none() -> None:
    assert (NotFound().message, NotFound().code) == ("您访问的内容不存在", "not_found")
    refused = Invalid("请填写家人姓名")
    assert (refused.message, refused.code, refused.status_code, str(refused)) == ("请填写家人姓名", "invalid", 422,
                                                                                "请填写家人姓名")
    with pytest.raises(TypeError):
        Invalid("请填写家人姓名", code="made_up")  # type: ignore[call-arg]
