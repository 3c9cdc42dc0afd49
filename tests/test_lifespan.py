"""The app's lifespan: the garbage collector's settings for serving, undone when the app stops."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from healthcode.app import GC_YOUNG_THRESHOLD, create_app
from healthcode.config import Settings


def test_serving_freezes_start_up_objects_and_collects_the_young_less_often(engine: Engine,
                                                                            settings: Settings) -> None:
    before = gc.get_threshold()
    app = create_app(settings, engine)

    with TestClient(app):
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert app.state.hot_connections == []
