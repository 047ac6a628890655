"""Values from the data or an address are shown as the text they are: an institution named like a Markdown image,
a code in a crafted address and a display name with a link reach the page with every character Markdown could act on
escaped (Streamlit renders titles, captions and messages as Markdown)."""
import re

from core.access import admin
from core.access.roles import system_user
from ui import text

IMAGE = "![x](http://127.0.0.1:9/b.png)"
LINK = "[点我](http://127.0.0.1:9/)"


def _live(markdown: str) -> bool:
    """Whether Markdown would make an image or a link of it: `[`...`](` not escaped by a backslash."""
    return re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", markdown) is not None


def test_plain_escapes_what_markdown_would_act_on():
    for raw in (IMAGE, LINK, "**粗体**", "<img src=x>", ":red[红]", "$x^2$", "# 标题"):
        shown = text.plain(raw)
        assert re.sub(r"\\(.)", r"\1", shown) == raw  # the same characters, each escaped
        assert not _live(shown)
    assert _live(IMAGE)  # the check itself sees a live image


def test_an_institution_named_like_an_image_shows_its_name(app, demo_copy):
    code = demo_copy.read("SELECT institution_code FROM institutions ORDER BY 1 LIMIT 1")["institution_code"].iloc[0]
    with demo_copy.begin() as conn:
        conn.exec_driver_sql("UPDATE institutions SET institution_name = ? WHERE institution_code = ?", (IMAGE, code))
        demo_copy.bump_data_version(conn)
    at = app("demo_leader").run()
    at.query_params["code"] = code
    at.switch_page("../pages/institution.py").run()
    assert not at.exception
    titles = [s.value for s in at.subheader]
    assert text.plain(IMAGE) in titles and not any(_live(v) for v in titles)


def test_a_crafted_code_in_the_address_is_echoed_as_text(app):
    at = app("demo_leader").run()
    at.query_params["code"] = LINK
    at.switch_page("../pages/enterprise.py").run()
    assert not at.exception
    warned = [w.value for w in at.warning]
    assert any(text.plain(LINK) in w for w in warned) and not any(_live(w) for w in warned)


def test_a_display_name_with_a_link_is_shown_as_text(app, demo_copy):
    admin.create_user(demo_copy, system_user(demo_copy), "linky", LINK, "leader", None, "Secret2026pass")
    at = app("linky").run()
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert any(text.plain(LINK) in c for c in captions) and not any(_live(c) for c in captions)


def test_a_name_in_a_list_to_choose_from_is_shown_as_written(app, demo_copy):
    """A list's options are plain text in Streamlit: a name there shows its characters, unescaped."""
    complaint = "SQ2099000001"  # raised in the app, to answer: a copy of the enterprise's answered one
    with demo_copy.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO complaints (complaint_id, institution_code, enterprise_code, product_code, issue_type, "
            "raised_date, source, description) SELECT ?, institution_code, enterprise_code, product_code, issue_type, "
            "raised_date, 'app', description FROM complaints "
            "WHERE enterprise_code = (SELECT enterprise_code FROM users WHERE username = 'demo_enterprise') LIMIT 1",
            (complaint,))
        code = conn.exec_driver_sql("SELECT institution_code FROM complaints WHERE complaint_id = ?",
                                    (complaint,)).scalar_one()
        conn.exec_driver_sql("UPDATE institutions SET institution_name = ? WHERE institution_code = ?", (IMAGE, code))
        demo_copy.bump_data_version(conn)
    at = app("demo_enterprise").run()
    at.switch_page("../pages/desk.py").run()
    assert not at.exception
    assert f"{complaint} · {IMAGE}" in at.selectbox(key="desk_reply_which").options
