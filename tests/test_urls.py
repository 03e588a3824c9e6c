"""URLs: one judge (``pledge_timeline.urls``) for ``check``, ``build --base-url`` and the
renderers, so any URL ``check`` accepts renders, and appears in every output as written."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import lxml.etree
import lxml.html
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from pledge_timeline.build import render_each
from pledge_timeline.cli import cli
from pledge_timeline.errors import InvalidTimeline
from pledge_timeline.validate import load_timeline

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
SOURCE_URL = "url: https://news.example.com/a.html"
BASE_URL = "base_url: https://timeline.example.org/"
ICON = "  rights: CC0\n"
FIELDS = {
    "sources[0].url": (SOURCE_URL, "url: {}", 17, 10),
    "timeline.base_url": (BASE_URL, "base_url: {}", 5, 13),
    "timeline.icon": (ICON, "  rights: CC0\n  icon: {}\n", 9, 9),
}
REFUSED = {
    "https://[zz]/": "has a host in [brackets] that is not an IPv6 address in a closed pair",
    "https://[::1/": "has a host in [brackets] that is not an IPv6 address in a closed pair",
    "https://:80/": "has no host; write one, e.g. https://example.org/",
    "https://[::1]x/": "has a host and port '[::1]x' that is not host[:port]",
    "https://example.org:99999/": "has the port 99999, above 65535",
    "https://user@/": "has no host; write one, e.g. https://example.org/",
    "https://a%zz.org/": "has a host 'a%zz.org' with a character a host name cannot have",
    "https://[fe80::1%25eth0]/": "has the scoped address '[fe80::1%25eth0]', which works on one machine only",
}


def _with(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("url", REFUSED)
def test_check_refuses_a_url_the_renderers_cannot_take_in_every_url_field(
    tmp_path: Path, field: str, url: str
) -> None:
    old, new, line, column = FIELDS[field]
    path = tmp_path / "events.yaml"
    path.write_text(_with(old, new.format(json.dumps(url))), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"{path}:{line}:{column}: {field}: '{url}' {REFUSED[url]}\n1 problem found\n"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        *REFUSED.items(),
        ("https://[::1]/", "has the host '::1', which cannot name calendar UIDs and feed ids (tag: URIs)"),
        ("https://bücher.example/", "has the host 'bücher.example', which cannot name calendar UIDs"),
        ("https://example.org/t/?page=1", "is the address of a folder, so it has no ?query or #fragment"),
        ("https://example.org/t/#top", "is the address of a folder, so it has no ?query or #fragment"),
    ],
)
def test_build_base_url_is_judged_as_check_judges_the_files(tmp_path: Path, url: str, message: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", str(FIXTURES / "minimal.yaml"), "--out", str(out), "--base-url", url]
    )
    assert result.exit_code == 2, result.output
    assert f"Invalid value for --base-url: '{url}' {message}" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not out.exists()
    path = tmp_path / "events.yaml"
    path.write_text(_with(BASE_URL, f"base_url: {json.dumps(url, ensure_ascii=False)}"), encoding="utf-8")
    check = CliRunner().invoke(cli, ["check", str(path)])
    assert check.exit_code == 1
    assert f"{path}:5:13: timeline.base_url: '{url}' {message}" in check.stderr


@pytest.mark.parametrize(
    "url", ["https://[2001:db8::1]:8443/a?b=1&c=d#e", "https://bücher.example/ü", "HTTP://EXAMPLE.ORG:/"]
)
def test_a_source_may_link_to_any_well_formed_http_url(tmp_path: Path, url: str) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(_with(SOURCE_URL, f"url: {json.dumps(url, ensure_ascii=False)}"), encoding="utf-8")
    assert load_timeline(path).sources[0].url == url


# URLs built from parts that each may or may not be well formed, and any text the schema's
# pattern lets through: most are refused, and those accepted must render.
HOST_CHARS = "abcXYZ019-._~!$&'()*+,;=%:[]@ü中"
PATH_CHARS = "abz09-._~!$&'()*+,;=:@/%?#[]<>\"'\\^`{|}ü中 \u200f"
HOSTS = st.one_of(
    st.text(alphabet=HOST_CHARS, max_size=12),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda address: f"[{address}]"),
    st.sampled_from(["example.org", "a.b-c.example", "xn--bcher-kva.example", "[zz]", "[::1", "[v1.x]"]),
)
WEB_URLS = st.one_of(
    st.builds(
        lambda scheme, user, host, port, path: f"{scheme}://{user}{host}{port}{path}",
        st.sampled_from(["http", "https", "HTTPS", "ftp"]),
        st.sampled_from(["", "user@", "u:p@", "@"]),
        HOSTS,
        st.one_of(st.just(""), st.integers(0, 99999).map(lambda port: f":{port}"), st.just(":x")),
        st.text(alphabet=PATH_CHARS, max_size=16).map(lambda path: "/" + path),
    ),
    st.from_regex(r"https?://[a-z0-9.:\[\]%@-]{1,16}(/[^\s]{0,12})?", fullmatch=True),
)


def _as_yaml(url: str) -> str:
    return json.dumps(url, ensure_ascii=False)  # a YAML double-quoted scalar


def _accepted(text: str) -> object | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_timeline(path, "events.yaml")
        except InvalidTimeline as invalid:
            located = {error.path[-1:] for error in invalid.errors}
            assert located <= {("url",), ("base_url",), ("icon",), ()}
            return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(url=WEB_URLS)
@example(url="https://[zz]/")
@example(url="https://[::1/")
@example(url="https://:80/")
@example(url="https://a.example/?q=a&b='c';d")
def test_any_url_check_accepts_renders_and_is_in_the_outputs_as_written(url: str) -> None:
    text = _with(SOURCE_URL, f"url: {_as_yaml(url)}").replace(ICON, f"{ICON}  icon: {_as_yaml(url)}\n")
    as_base = _with(BASE_URL, f"base_url: {_as_yaml(url)}")
    timeline = _accepted(text)
    if timeline is not None:
        outputs = {rendered.path: rendered.data for rendered in render_each(timeline, "sibling")}  # type: ignore[arg-type]
        _assert_source_url_is_in(outputs, url)
    based = _accepted(as_base)
    if based is not None:
        outputs = {rendered.path: rendered.data for rendered in render_each(based, "sibling")}  # type: ignore[arg-type]
        _assert_base_url_is_in(outputs, url if url.endswith("/") else url + "/")


def _assert_source_url_is_in(outputs: dict[str, bytes], url: str) -> None:
    atom = lxml.etree.fromstring(outputs["feed.atom"])
    namespace = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("//a:entry/a:link[@rel='related']/@href", namespaces=namespace) == [url]
    assert atom.xpath("/a:feed/a:icon/text()", namespaces=namespace) == [url]
    entry = json.loads(outputs["feed.json"])["items"][0]
    assert entry["external_url"] == url
    assert lxml.html.fromstring(entry["content_html"]).xpath("//a/@href") == [url]
    page = lxml.html.fromstring(outputs["timeline.html"])
    assert url in page.xpath("//article//a/@href")
    assert page.xpath("//blockquote/@cite") == [url]
    rss = lxml.etree.fromstring(outputs["feed.rss"])
    encoded = rss.xpath("//item/*[local-name()='encoded']/text()")
    assert lxml.html.fromstring(encoded[0]).xpath("//a/@href") == [url]
    calendar = icalendar.Calendar.from_ical(outputs["calendar.ics"])
    (event,) = calendar.walk("VEVENT")
    assert url in str(event["DESCRIPTION"])


def _assert_base_url_is_in(outputs: dict[str, bytes], base: str) -> None:
    host = urlsplit(base).hostname
    assert host, "a base_url with no host names no UID"
    calendar = icalendar.Calendar.from_ical(outputs["calendar.ics"])
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"letter-sent@{host}"
    assert str(event["URL"]) == f"{base}timeline.html#letter-sent"
    atom = lxml.etree.fromstring(outputs["feed.atom"])
    namespace = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.xpath("/a:feed/a:link[@rel='self']/@href", namespaces=namespace) == [f"{base}feed.atom"]
    assert atom.xpath("//a:entry/a:id/text()", namespaces=namespace)[0].startswith(f"tag:{host},")
    assert json.loads(outputs["feed.json"])["feed_url"] == f"{base}feed.json"
    page = lxml.html.fromstring(outputs["timeline.html"])
    assert f"{base}feed.atom" in page.xpath("//link/@href")
