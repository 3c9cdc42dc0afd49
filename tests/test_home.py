"""The landing page links the four portals and the API documentation."""


def test_landing_page_lists_every_portal(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for link in ('href="/citizen/"', 'href="/scanner/"', 'href="/gov/"', 'href="/ent/"', 'href="/api/docs"'):
        assert link in page.text
    assert "八闽健康码" in page.text
