"""The explain page in a real browser (Debian's Chromium, driven by Playwright).

.ci/run installs Chromium, so these run in CI; where it is missing they are skipped
with the reason.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import math
import re
import shutil
import threading
import zlib

import numpy as np
import pytest

from glassnet import explain_step, load_spec
from glassnet.check import check, parse_claims
from glassnet.render.html import render_html
from glassnet.spec import parse_spec

from conftest import EXAMPLES, OUTPUT_LOSS, random_case

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install 'glassnet[browser]'")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
ARGS = [
    "--headless",
    "--disable-quic",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KEYS = ("z", "a", "dL_da", "da_dz", "delta", "grad_W", "grad_b", "W_new", "b_new")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A local http.server on 127.0.0.1 serving a folder of pages."""
    folder = tmp_path_factory.mktemp("pages")
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.server = server
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.resource_type != "document" else None)
    page.errors, page.requests = errors, requests
    yield page
    assert errors == []
    assert [u for u in requests if not u.startswith(("data:", "about:"))] == []  # offline
    context.close()


PAGE_NUMBERS = itertools.count()


def open_trace(page, trace, check_doc=None, weights_layout="in_out"):
    folder, url = page.server
    name = f"step{next(PAGE_NUMBERS)}.html"  # a new name: no cached page
    page_text = render_html(trace.to_dict(), check=check_doc, weights_layout=weights_layout)
    (folder / name).write_text(page_text, "utf-8")
    page.goto(f"{url}/{name}")
    return page


def assert_close(js, py, where):
    np.testing.assert_allclose(
        np.asarray(js, dtype=float),
        np.asarray(py, dtype=float),
        rtol=1e-12,
        atol=1e-15,
        err_msg=where,
    )


CASES = [
    (h, o, loss, m)
    for i, (h, (o, loss)) in enumerate(
        (h, ol)
        for h in ("relu", "sigmoid", "tanh", "elu", "softplus", "leaky_relu")
        for ol in OUTPUT_LOSS
    )
    if i % 9 == 0
    for m in (1, 3)
]


@pytest.mark.parametrize(("hidden", "output", "loss", "m"), CASES)
def test_page_step_agrees_with_python(page, hidden, output, loss, m):
    seed = zlib.crc32(f"html-{hidden}-{output}-{loss}-{m}".encode())
    net, X, Y = random_case(seed, [3, 4, 3], [hidden, output], loss, m)
    trace = explain_step(net, X, Y, 0.1)
    js = open_trace(page, trace).evaluate("window.glassnet.trace()")
    assert js["loss"] == pytest.approx(trace.loss, rel=1e-12, abs=0)
    assert js["loss_after"] == pytest.approx(trace.loss_after, rel=1e-12, abs=0)
    for layer, js_layer in zip(trace.layers, js["layers"], strict=True):
        for key in KEYS:
            assert_close(js_layer[key], getattr(layer, key), f"layer {layer.index} {key}")
    assert_same_zeros(page, trace)


def assert_same_zeros(page, trace):
    """The numbers the page shows as 0 are those the text and Markdown show as 0."""
    from glassnet.render.numbers import shown_trace

    python = shown_trace(trace.to_dict())
    js = page.evaluate("window.glassnet.shown()")
    for key in ("loss", "loss_after"):
        assert (python[key] == 0) == (js[key] == 0), key
    python, shown = python["layers"], js["layers"]
    for py_layer, js_layer in zip(python, shown, strict=True):
        for key in ("z", "a", "dL_da", "delta", "grad_W", "grad_b", "W_new", "b_new"):
            zero_py = np.asarray(py_layer[key], dtype=float) == 0
            zero_js = np.asarray(js_layer[key], dtype=float) == 0
            assert (zero_py == zero_js).all(), key


def unit_values(page, key):
    """data-value of ``key`` in every unit that has that key (None until computed)."""
    values = {}
    for el in page.query_selector_all("[data-unit]"):
        item = el.query_selector(f'[data-key="{key}"]')
        if item is not None:
            values[el.get_attribute("data-unit")] = item.get_attribute("data-value")
    return values


def test_stepping_reveals_values_in_order(page):
    spec = load_spec(EXAMPLES[1])  # seed 001: 3-3-3-3
    trace = spec.explain()
    open_trace(page, trace)
    assert len(page.query_selector_all("[data-unit]")) == 12
    assert len(page.query_selector_all("[data-weight]")) == 27
    assert page.get_attribute("#glassnet", "data-stage") == "forward-1"
    assert unit_values(page, "z")["1:1"] is not None and unit_values(page, "z")["2:1"] is None
    assert page.is_disabled('[data-action="prev"]')
    stages = ["forward-1"]
    while not page.is_disabled('[data-action="next"]'):
        page.click('[data-action="next"]')
        stages.append(page.get_attribute("#glassnet", "data-stage"))
    assert stages == [
        "forward-1",
        "forward-2",
        "forward-3",
        "loss",
        "backward-3",
        "backward-2",
        "backward-1",
        "update",
    ]
    for l, layer in enumerate(trace.layers, start=1):
        for key in ("z", "a", "delta"):
            values = unit_values(page, key)
            got = [float(values[f"{l}:{j}"]) for j in range(1, 4)]
            assert_close(got, getattr(layer, key)[0], f"layer {l} {key}")
    page.keyboard.press("ArrowLeft")
    assert page.get_attribute("#glassnet", "data-stage") == "backward-1"
    page.click('[data-action="loss"]')
    assert page.get_attribute("#glassnet", "data-stage") == "loss"
    assert "2.6793" in page.inner_text("#equation")


def test_weight_shows_its_gradient_along_every_path(page):
    spec = load_spec(EXAMPLES[0])  # seed 000: one sigmoid layer
    trace = spec.explain()
    open_trace(page, trace)
    page.click('[data-weight="1:1:2"]')
    text = page.inner_text("#detail")
    assert f"{trace.layers[0].grad_W[0][1]:.5g}"[:6] in text
    # a hidden weight of seed 001 sums its paths through the sigmoid layer
    trace = load_spec(EXAMPLES[1]).explain()
    open_trace(page, trace)
    page.dispatch_event('[data-weight="1:2:3"]', "click")
    text = page.inner_text("#detail")
    assert "Σ" in text or "δ" in text
    page.dispatch_event('[data-unit="2:1"]', "click")
    assert "δ = (Σ_k δ_k W_jk)" in page.inner_text("#detail")


def test_editing_the_input_recomputes_the_step(page):
    spec = load_spec(EXAMPLES[1])
    open_trace(page, spec.explain())
    page.fill('[data-edit="input"]', "0.5, -0.25, 1")
    page.dispatch_event('[data-edit="input"]', "change")
    expected = explain_step(spec.network, np.array([[0.5, -0.25, 1.0]]), spec.Y, spec.learning_rate)
    js = page.evaluate("window.glassnet.trace()")
    assert js["loss"] == pytest.approx(expected.loss, rel=1e-12, abs=0)
    assert_close(js["layers"][0]["grad_W"], expected.layers[0].grad_W, "grad_W after edit")
    # edit a weight matrix: every number matches a fresh Python trace
    page.fill('[data-edit="W:0"]', "0.5, -0.2, 0.3\n0.1, 0.2, -0.7\n-0.4, 0.3, 0.9")
    page.dispatch_event('[data-edit="W:0"]', "change")
    edited = spec.network.copy()
    edited.layers[0].W[...] = [[0.5, -0.2, 0.3], [0.1, 0.2, -0.7], [-0.4, 0.3, 0.9]]
    expected = explain_step(edited, np.array([[0.5, -0.25, 1.0]]), spec.Y, spec.learning_rate)
    js = page.evaluate("window.glassnet.trace()")
    for layer, js_layer in zip(expected.layers, js["layers"], strict=True):
        for key in KEYS:
            assert_close(js_layer[key], getattr(layer, key), f"edited: layer {layer.index} {key}")
    page.click('[data-action="update"]')
    shown = unit_values(page, "delta")
    assert_close(
        [float(shown[f"1:{j}"]) for j in (1, 2, 3)],
        expected.layers[0].delta[0],
        "shown δ after the edit",
    )
    # the edges are drawn again for the edited weights: sign and width
    edge = page.query_selector('[data-weight="1:1:2"]')
    assert edge.get_attribute("class").split()[:2] == ["w", "neg"]
    assert float(edge.get_attribute("stroke-width")) == pytest.approx(1 + 5 * 0.2 / 0.9, abs=0.01)


def test_a_weights_details_show_its_update_at_the_update_stage(page):
    # the update's equation shows a large W by its corners: each weight's own is here
    trace = load_spec(EXAMPLES[1]).explain()  # seed 001: η = 0.01, W1[2,3] = 0.7
    open_trace(page, trace)
    page.dispatch_event('[data-weight="1:2:3"]', "click")
    assert "←" not in page.inner_text("#detail")  # not before the update
    page.click('[data-action="update"]')
    detail = page.inner_text("#detail").replace("\n", "")
    new = page.evaluate("window.glassnet.shown()")["layers"][0]["W_new"][1][2]
    assert new == pytest.approx(trace.layers[0].W_new[1][2], rel=1e-15)
    grad = trace.layers[0].grad_W[1][2]
    assert f"=0.7−0.01⋅{grad:.5g}={new:.5g}" in detail.replace(" ", "")
    # a negative gradient in parentheses: W3[1,1] = 0.1 − 0.01 · (−1.0257)
    page.dispatch_event('[data-weight="3:1:1"]', "click")
    detail = page.inner_text("#detail").replace("\n", "").replace(" ", "")
    grad, new = trace.layers[2].grad_W[0][0], trace.layers[2].W_new[0][0]
    assert grad < 0 and f"=0.1−0.01⋅(−{-grad:.5g})={new:.5g}" in detail


def test_exponents_are_typeset_as_powers_of_ten(page):
    # "1e-7" in TeX read as a variable e minus 7; the Markdown writes 1 × 10^{-7}
    data = {
        "input": [1e-7],
        "target": [0.0],
        "loss": "half_squared_error",
        "learning_rate": 0.1,
        "layer": [{"activation": "identity", "weights": [[1.0]]}],
    }
    open_trace(page, parse_spec(data).explain())
    equation = page.inner_text("#equation").replace("\n", "")
    assert "=[1×10−7]" in equation and "e" not in equation.replace("exp", "")
    page.click('[data-action="update"]')
    page.dispatch_event('[data-weight="1:1:1"]', "click")
    detail = page.inner_text("#detail").replace("\n", "")
    assert "=1−0.1⋅(1×10−14)=1" in detail  # a factor with an exponent in parentheses


def test_the_page_writes_numbers_as_the_text_does(page):
    # toPrecision writes 0.000012346 down to 1e-6 and e-5 with one digit; the text,
    # the Markdown and the page write 1.2346e-05 (Python's %.5g)
    from glassnet.render.numbers import fmt

    values = [1.23456e-5, 0.000123456, 123456.0, -2.5e-7, 9.99996e-5, 12345.0, 1e16]
    data = {
        "input": [[v] for v in values],
        "target": [[0.0] for _ in values],
        "loss": "half_squared_error",
        "layer": [{"activation": "identity", "weights": [[1.0]]}],
    }
    open_trace(page, parse_spec(data).explain())
    page.click('[data-action="update"]')
    for k, v in enumerate(values):
        page.select_option("#example", str(k))
        label = page.text_content('[data-unit="1:1"] [data-key="z"]').split()[-1]
        assert label.replace("−", "-") == fmt(v, 5)


def test_a_stage_redraws_the_units_not_the_edges(page):
    # re-laying out every edge at each stage cost seconds on digits' 64-256-10
    open_trace(page, load_spec(EXAMPLES[1]).explain())
    page.evaluate("document.querySelector('[data-weight]').marked = true")
    page.evaluate("document.querySelector('[data-unit]').marked = true")
    page.click('[data-action="next"]')
    assert page.evaluate("document.querySelector('[data-weight]').marked") is True
    assert page.evaluate("document.querySelector('[data-unit]').marked") is None  # drawn anew
    assert unit_values(page, "z")["2:1"] is not None  # with this stage's numbers
    # nor an edit of the input or the target, which leaves the weights as they are
    page.fill('[data-edit="input"]', "0.5, -0.25, 1")
    page.dispatch_event('[data-edit="input"]', "change")
    assert page.evaluate("document.querySelector('[data-weight]').marked") is True
    page.fill('[data-edit="W:0"]', "0.5, -0.2, 0.3\n0.1, 0.2, -0.7\n-0.4, 0.3, 0.9")
    page.dispatch_event('[data-edit="W:0"]', "change")
    assert page.evaluate("document.querySelector('[data-weight]').marked") is None


def test_a_large_matrix_shows_its_corners_in_the_equations(page):
    # 20 inputs and 20 units: every number of W typeset took seconds on digits' network
    net, X, Y = random_case(7, [20, 20, 3], ["tanh", "softmax"], "cross_entropy", 1)
    trace = explain_step(net, X, Y, 0.1)
    open_trace(page, trace)
    equation = page.inner_text("#equation")
    assert "⋯" in equation and "⋮" in equation and "⋱" in equation
    assert "A matrix of over 16 rows or columns shows its first and last 4" in equation
    assert "glassnet explain --format text (or json) prints every number" in equation
    shown = page.evaluate(  # the product's line, then its result's
        "[...document.querySelectorAll('#equation .eq')].slice(1, 3)"
        ".reduce((n, eq) => n + eq.querySelectorAll('mn').length, 0)"
    )
    # a0 and b (4 + 4 each), W (8 × 8) and z (4 + 4), each number 1–2 <mn> (sign, exponent)
    assert 8 * 8 + 3 * 8 <= shown <= 2 * (8 * 8 + 3 * 8)
    first = page.evaluate("window.glassnet.shown()")["layers"][0]["W"]
    for value in (first[0][0], first[3][3], first[-1][-1], first[0][-1]):  # the corners
        assert f"{abs(value):.5g}"[:5] in equation
    # a small network's matrices are whole, with no note
    open_trace(page, load_spec(EXAMPLES[1]).explain())
    page.click('[data-action="update"]')
    assert "⋯" not in page.inner_text("#equation")
    assert "A matrix of over" not in page.inner_text("#equation")


@pytest.mark.parametrize("width", [1280, 375])
def test_readable_at_desktop_and_phone_width(browser, server, width, tmp_path):
    folder, url = server
    page_html = render_html(load_spec(EXAMPLES[1]).explain().to_dict())
    (folder / f"w{width}.html").write_text(page_html, "utf-8")
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{url}/w{width}.html")
    page.click('[data-action="backward"]')
    overflow = page.evaluate("document.documentElement.scrollWidth")
    box = page.query_selector("#net").bounding_box()
    shot = tmp_path / "shot.png"
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    assert overflow <= width + 1  # no sideways scrolling of the page
    assert box["width"] <= width and box["height"] > 100
    # the screenshot is not blank: many distinct colours, a light page and dark ink
    from matplotlib.image import imread

    image = imread(shot)[..., :3]
    assert image.shape[1] == width
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50
    assert image.min() < 0.2 and image.max() > 0.9


def test_check_page_marks_the_claims(page):
    spec = load_spec(EXAMPLES[2])  # seed 003
    trace = spec.explain()
    claims = parse_claims(
        "[layer.1]\nz = [2.9, 1.4, 2.1, 2.3]\na = [0.95, 0.80, 0.89, 0.91]\n",
        spec,
        trace,
        "mine.toml",
    )
    report = check(spec, claims, trace).to_dict()
    open_trace(page, trace, report)
    assert page.get_attribute('[data-unit="1:2"] [data-key="z"]', "class") == "wrong"
    assert page.get_attribute('[data-unit="1:2"] [data-key="a"]', "class") == "carried"
    assert page.get_attribute('[data-unit="1:1"] [data-key="z"]', "class") == "right"
    assert "1 wrong" in page.inner_text("header")
    # every claim is listed, in its colour: right ones too
    items = page.query_selector_all("header li")
    assert len(items) == report["summary"]["claims"]
    colours = {
        status: page.eval_on_selector(f"header li.{status}", "e => getComputedStyle(e).color")
        for status in ("right", "wrong", "carried")
    }
    assert len(set(colours.values())) == 3


def test_whole_numbers_keep_their_zeros_and_rounding_shows_as_0(page):
    spec = load_spec(EXAMPLES[2])  # seed 003: ∂L/∂W1[1,1] is 0, left ~1e-18 by floats
    trace = spec.explain()
    assert 0 < abs(trace.layers[0].grad_W[0][0]) < 1e-15
    open_trace(page, trace)
    page.dispatch_event('[data-weight="1:1:1"]', "click")
    detail = page.inner_text("#detail")
    assert "Σ = 0" in detail and "e-18" not in detail and "e−18" not in detail
    data = {
        "input": [10000.0, 12300.0],
        "target": [1.0],
        "loss": "half_squared_error",
        "layer": [{"activation": "identity", "weights": [[1.0], [1.0]], "bias": [0.0]}],
    }
    open_trace(page, parse_spec(data).explain())
    page.click('[data-action="update"]')
    assert page.text_content('[data-unit="0:1"]').split()[-1] == "10000"
    assert page.text_content('[data-unit="1:1"] [data-key="z"]').split()[-1] == "22300"


def test_a_weight_below_a_hidden_softmax_shows_its_gradient(page):
    data = {
        "input": [0.5, -0.2],
        "target": [1.0, 0.0],
        "loss": "half_squared_error",
        "layer": [
            {
                "activation": "tanh",
                "weights": [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]],
                "bias": [0.0] * 3,
            },
            {"activation": "softmax", "weights": np.eye(3).tolist(), "bias": [0.0] * 3},
            {
                "activation": "sigmoid",
                "weights": [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]],
                "bias": [0.0] * 2,
            },
        ],
    }
    trace = parse_spec(data).explain()
    open_trace(page, trace)
    for weight in ("1:1:1", "2:1:1"):
        page.dispatch_event(f'[data-weight="{weight}"]', "click")
        layer = int(weight[0]) - 1
        assert f"{abs(trace.layers[layer].grad_W[0][0]):.5g}" in page.inner_text("#detail")


def test_cli_pages_are_self_contained(tmp_path, page):
    from glassnet.cli import main

    out = tmp_path / "step.html"
    assert main(["explain", str(EXAMPLES[1]), "--format", "html", "-o", str(out)]) == 0
    text = out.read_text()
    # nothing to fetch: no script, stylesheet, image or font from elsewhere
    markup = re.sub(r"<script[^>]*>.*?</script>", "<script></script>", text, flags=re.S)
    assert re.search(r"<(script|link|img|iframe|object)\b[^>]*\b(src|href)=", markup) is None
    assert "@import" not in text and "url(" not in text
    checked = tmp_path / "check.html"
    claims = tmp_path / "mine.toml"
    claims.write_text("[layer.1]\nz = [1.35, 1.27, 1.9]\n")
    assert (
        main(["check", str(EXAMPLES[1]), str(claims), "--format", "html", "-o", str(checked)]) == 1
    )
    folder, url = page.server
    shutil.copy(out, folder / "cli.html")
    shutil.copy(checked, folder / "checked.html")
    page.goto(f"{url}/cli.html")
    assert page.get_attribute("#glassnet", "data-stage") == "forward-1"
    page.goto(f"{url}/checked.html")
    assert page.get_attribute('[data-unit="1:3"] [data-key="z"]', "class") == "wrong"


def test_trained_network_page(tmp_path, page):
    from glassnet.cli import main

    assert (
        main(
            ["train", "--dataset", "iris", "--hidden", "8", "--epochs", "5", "--out", str(tmp_path)]
        )
        == 0
    )
    folder, url = page.server
    shutil.copy(tmp_path / "explain.html", folder / "trained.html")
    page.goto(f"{url}/trained.html")
    js = page.evaluate("window.glassnet.trace()")
    assert len(js["layers"]) == 2 and len(page.query_selector_all("[data-unit]")) == 4 + 8 + 3


def test_paths_through_a_softmax_sum_to_the_gradient(page):
    trace = load_spec(EXAMPLES[2]).explain()  # seed 003: sigmoid -> softmax, one example
    open_trace(page, trace)
    page.dispatch_event('[data-weight="1:3:2"]', "click")
    items = page.query_selector_all("#detail .paths li")
    assert len(items) == 2 * 2  # unit 2 of layer 1 -> 2 softmax units -> 2 outputs
    total = sum(float(li.inner_text().rsplit("= ", 1)[1]) for li in items)
    assert abs(trace.layers[0].grad_W[2][1]) > 1e-4
    assert total == pytest.approx(trace.layers[0].grad_W[2][1], rel=1e-3)
    assert page.get_attribute("html", "data-stage") == "forward-1"


def test_a_saturated_softmax_page_agrees_with_the_trace(page):
    data = {
        "input": [1.0],
        "target": [0.0, 1.0],
        "loss": "cross_entropy",
        "learning_rate": 0.1,
        "layer": [{"activation": "softmax", "weights": [[1000.0, -1000.0]], "bias": [0.0, 0.0]}],
    }
    trace = parse_spec(data).explain()
    open_trace(page, trace)
    page.click('[data-action="update"]')
    shown = [
        float(page.get_attribute(f'[data-unit="1:{j}"] [data-key="delta"]', "data-value"))
        for j in (1, 2)
    ]
    assert shown == [1.0, -1.0] == list(trace.layers[0].delta[0])


def test_rounding_is_0_in_equations_labels_and_unit_details(page):
    spec = load_spec(EXAMPLES[2])  # seed 003: ∂ℓ/∂a1[1] and δ1[1] are 0, ~1e-17 in floats
    open_trace(page, spec.explain())
    assert_same_zeros(page, spec.explain())
    page.click('[data-action="backward"]')
    while "backward-1" not in (page.get_attribute("#glassnet", "data-stage") or ""):
        page.click('[data-action="next"]')
    label = page.text_content('[data-unit="1:1"] [data-key="delta"]')
    page.dispatch_event('[data-unit="1:1"]', "click")
    shown = page.inner_text("#equation") + label + page.inner_text("#detail")
    assert "e-1" not in shown and "e−1" not in shown, shown
    assert label.split()[-1] == "0"


def _page_agrees(page, data):
    """The page's whole step equals the engine's, for the spec ``data``."""
    trace = parse_spec(data).explain()
    js = open_trace(page, trace).evaluate("window.glassnet.trace()")
    # (abs=0: approx's default absolute 1e-12 would pass any loss below it)
    assert js["loss"] == pytest.approx(trace.loss, rel=1e-12, abs=0)
    for layer, js_layer in zip(trace.layers, js["layers"], strict=True):
        for key in ("dL_da", "delta", "grad_W", "W_new"):
            assert_close(js_layer[key], getattr(layer, key), f"layer {layer.index} {key}")
    return trace


@pytest.mark.parametrize(
    ("target", "weights"),
    [
        ([0.0, 0.0], [[0.5, -0.5], [0.1, 0.2]]),  # no class: δ = a Σy − y = 0
        ([1.0, 1.0], [[0.5, -0.5], [0.1, 0.2]]),  # two: δ = 2a − y
        ([0.5, 0.2], [[-1000.0, 1000.0], [0.1, 0.2]]),  # saturated, Σy ≠ 1
    ],
)
def test_softmax_cross_entropy_with_any_target_rows_agrees(page, target, weights):
    # the fused δ of softmax + cross-entropy is a Σy − y, a − y only for rows summing to 1
    _page_agrees(
        page,
        {
            "input": [0.5, -0.2],
            "target": target,
            "loss": "cross_entropy",
            "layer": [
                {"activation": "tanh", "weights": [[0.3, -0.2], [0.1, 0.4]]},
                {"activation": "softmax", "weights": weights},
            ],
        },
    )


@pytest.mark.parametrize("z", [20.0, 30.0, -40.0])
def test_the_small_loss_of_a_confident_sigmoid_is_kept(page, z):
    # ln(1 + e^−z) at y = 1: softplus(z) − y z loses it to the subtraction (1.3 % at z = 30)
    trace = _page_agrees(
        page,
        {
            "input": [1.0],
            "target": [1.0 if z > 0 else 0.0],
            "loss": "binary_cross_entropy",
            "layer": [{"activation": "sigmoid", "weights": [[z]]}],
        },
    )
    assert trace.loss == pytest.approx(math.log1p(math.exp(-abs(z))), rel=1e-12, abs=0)


@pytest.mark.parametrize(
    ("output", "loss"), [("softmax", "binary_cross_entropy"), ("relu", "cross_entropy")]
)
def test_a_saturated_output_of_an_unfused_pair_stays_finite(page, output, loss):
    # finite, as in the engine: relu + cross_entropy counts a probability rounded to 0 as
    # the smallest normal number; softmax + BCE takes such an example from the logits
    trace = _page_agrees(
        page,
        {
            "input": [1.0],
            "target": [1.0, 0.0],
            "loss": loss,
            "layer": [{"activation": output, "weights": [[-1000.0, 1000.0]]}],
        },
    )
    assert np.isfinite(trace.loss) and np.isfinite(trace.layers[0].delta).all()


@pytest.mark.parametrize(
    ("inputs", "targets", "weights"),
    [
        ([1.0], [1.0, 0.0], [[-20.0, 20.0]]),  # confidently wrong: δ = [−2, 2], ℓ = 80
        ([1.0], [1.0, 0.0], [[-400.0, 400.0]]),  # 1 − a_d underflows: ∂ℓ/∂a = [−∞, ∞]
        ([1.0], [4.248354255291589e-18, 0.0], [[-20.0, 20.0]]),  # the factors sum to 0
        ([1.0], [1.0, 0.0, 0.0], [[40.0, 0.0, -1.0]]),  # confidently right: ℓ ≈ 1.16e-17
        (  # a batch: a saturated row, a normal one, and soft targets under three units
            [[1.0], [0.01], [2.0]],
            [[0.3, 0.0, 0.9], [0.2, 0.5, 0.1], [0.0, 1.0, 0.0]],
            [[-3.0, 2.0, 30.0]],
        ),
    ],
)
def test_a_saturated_softmax_bce_page_agrees_with_python(page, inputs, targets, weights):
    m = len(np.atleast_2d(inputs))
    # each row whose a-based factors lose the number takes ℓ, ∂ℓ/∂a and δ from the logits,
    # in the page's own step as in the engine, and its exact δ is no residue
    from glassnet.render.numbers import saturated_rows

    trace = _page_agrees(
        page,
        {
            "input": inputs,
            "target": targets,
            "loss": "binary_cross_entropy",
            "layer": [{"activation": "softmax", "weights": weights}],
        },
    )
    assert_same_zeros(page, trace)
    shown = page.evaluate("window.glassnet.shown().layers[0].delta")
    assert_close(shown, trace.layers[0].delta, "shown delta")
    assert np.all(np.asarray(shown) != 0)
    rows = saturated_rows(trace.to_dict())
    assert page.evaluate("window.glassnet.saturated()") == [k in rows for k in range(m)]


def test_a_saturated_fused_output_shows_no_infinite_paths(page):
    data = {
        "input": [1.0],
        "target": [0.0],
        "loss": "binary_cross_entropy",
        "layer": [{"activation": "sigmoid", "weights": [[800.0]]}],
    }
    _page_agrees(page, data)
    page.dispatch_event('[data-weight="1:1:1"]', "click")
    detail = page.inner_text("#detail")
    assert "NaN" not in detail and "Infinity" not in detail and "saturated" in detail


def test_a_step_that_overflows_gets_a_page(page, tmp_path):
    data = {
        "input": [1e200],
        "target": [0.0],
        "loss": "half_squared_error",
        "layer": [{"activation": "identity", "weights": [[1e200]]}],
    }
    # the page carries "inf" as the JSON trace does, and reads it back as Infinity
    open_trace(page, parse_spec(data).explain())
    assert page.evaluate("window.glassnet.trace().layers[0].z[0][0] === Infinity")
    assert page.evaluate("window.glassnet.trace().loss === Infinity")


def test_numbers_keep_their_exponents(page):
    data = {
        "input": [1.2345e-10, -3.1416e10],
        "target": [0.0],
        "loss": "half_squared_error",
        "layer": [{"activation": "identity", "weights": [[1.0], [0.0]]}],
    }
    open_trace(page, parse_spec(data).explain())
    assert page.text_content('[data-unit="0:1"]').split()[-1] == "1.2345e-10"
    assert page.text_content('[data-unit="0:2"]').split()[-1] == "-3.1416e+10"


def test_a_hidden_softmax_unit_shows_the_sum_that_makes_its_delta(page):
    data = {
        "input": [0.5, -0.2],
        "target": [1.0, 0.0],
        "loss": "half_squared_error",
        "layer": [
            {"activation": "softmax", "weights": [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]]},
            {"activation": "sigmoid", "weights": [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]},
        ],
    }
    trace = parse_spec(data).explain()
    open_trace(page, trace)
    page.click('[data-action="update"]')
    page.dispatch_event('[data-unit="1:1"]', "click")
    line = next(s for s in page.inner_text("#detail").splitlines() if s.startswith("δ = Σ_i"))
    terms = re.findall(r"(-?[\d.]+(?:e[-+]\d+)?)·(-?[\d.]+(?:e[-+]\d+)?)", line)
    total = sum(float(a) * float(b) for a, b in terms)
    assert len(terms) == 3
    assert total == pytest.approx(trace.layers[0].delta[0][0], rel=1e-3)


@pytest.mark.parametrize("text", ["Infinity, 0, 0", "1e999, 0, 0", "0x10, 0, 0", "abc", ""])
def test_an_edit_that_is_no_numbers_is_refused_with_a_message(page, text):
    spec = load_spec(EXAMPLES[1])
    open_trace(page, spec.explain())
    before = page.evaluate("window.glassnet.trace().loss")
    page.fill('[data-edit="input"]', text)
    page.dispatch_event('[data-edit="input"]', "change")
    assert page.get_attribute('[data-edit="input"]', "aria-invalid") == "true"
    assert "expected 3 finite numbers" in page.inner_text("#edit-error")
    assert page.evaluate("window.glassnet.trace().loss") == before
    page.fill('[data-edit="input"]', "1, 2e-1, .5")  # plain decimals, any form
    page.dispatch_event('[data-edit="input"]', "change")
    assert page.get_attribute('[data-edit="input"]', "aria-invalid") is None
    assert page.inner_text("#edit-error") == ""


def test_an_edit_clears_the_check_marks_and_arrows_leave_the_example_list(page):
    spec = load_spec(EXAMPLES[2])  # seed 003
    trace = spec.explain()
    claims = parse_claims("[layer.1]\nz = [2.9, 1.4, 2.1, 2.3]\n", spec, trace, "mine.toml")
    open_trace(page, trace, check(spec, claims, trace).to_dict())
    assert page.get_attribute('[data-unit="1:1"] [data-key="z"]', "class") == "right"
    assert page.get_attribute("p.worksheet", "class") == "worksheet"
    page.fill('[data-edit="input"]', "5, 5, 5, 5")
    page.dispatch_event('[data-edit="input"]', "change")
    assert page.get_attribute('[data-unit="1:1"] [data-key="z"]', "class") is None
    # the list of claims stays, greyed: of the step before the edit
    assert page.get_attribute("p.worksheet", "class") == "worksheet stale"
    after = page.evaluate(
        "getComputedStyle(document.querySelector('p.worksheet'), '::after').content"
    )
    assert "of the step before your edits" in after
    batch = parse_spec(
        {
            "input": [[0.1, 0.2], [0.3, 0.4]],
            "target": [[1.0], [0.0]],
            "loss": "half_squared_error",
            "layer": [{"activation": "identity", "weights": [[1.0], [1.0]]}],
        }
    )
    open_trace(page, batch.explain())
    stage = page.get_attribute("#glassnet", "data-stage")
    page.focus("#example")
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#glassnet", "data-stage") == stage


def test_one_saturated_example_takes_the_fused_delta_for_the_batch_as_the_engine(page):
    # example 1 saturates (z = 40, y = 0), example 2 does not: the engine takes a − y for
    # the whole batch, and so must the page, to the last digits of a tiny δ
    trace = _page_agrees(
        page,
        {
            "input": [[40.0], [0.5]],
            "target": [[0.0], [0.6224593312018516]],
            "loss": "binary_cross_entropy",
            "learning_rate": 0.1,
            "layer": [{"activation": "sigmoid", "weights": [[1.0]]}],
        },
    )
    js = page.evaluate("window.glassnet.trace().layers[0].delta[1][0]")
    assert 0 < abs(trace.layers[0].delta[1][0]) < 1e-13
    assert js == pytest.approx(trace.layers[0].delta[1][0], rel=1e-12, abs=0)


def test_float_residue_shows_as_0_on_units_and_in_equations(page):
    data = {  # z = 0.1 + 0.2 − 0.3 = 5.6e-17 in float64, a layer of one unit
        "input": [[0.1, 0.2], [1.0, 2.0]],
        "target": [[0.0], [0.0]],
        "loss": "half_squared_error",
        "layer": [{"activation": "identity", "weights": [[1.0], [1.0]], "bias": [-0.3]}],
    }
    open_trace(page, parse_spec(data).explain())
    page.click('[data-action="update"]')
    for key in ("z", "a", "delta"):
        assert page.text_content(f'[data-unit="1:1"] [data-key="{key}"]').split()[-1] == "0"
    page.click('[data-action="forward"]')
    assert "e-17" not in page.inner_text("#equation")


def test_the_page_shows_residue_as_the_text_does(page):
    from glassnet.render.numbers import fmt, shown_trace

    for data in (
        {  # one saturated example; the other's numbers are real
            "input": [[-35.0], [0.0]],
            "target": [[1.0], [1.0]],
            "loss": "binary_cross_entropy",
            "layer": [{"activation": "sigmoid", "weights": [[1.0]]}],
        },
        {  # 0.1 + 0.2 − 0.3 in a one-unit layer, and the gradient of 0.3 − 0.3
            "input": [[0.1, 0.2], [1.0, 2.0], [0.0, 0.0]],
            "target": [[0.0], [0.0], [0.3]],
            "loss": "half_squared_error",
            "layer": [{"activation": "identity", "weights": [[1.0], [1.0]], "bias": [-0.3]}],
        },
    ):
        trace = parse_spec(data).explain()
        expected = shown_trace(trace.to_dict())["layers"][0]
        open_trace(page, trace)
        page.click('[data-action="update"]')
        for k in range(len(data["input"])):
            page.select_option("#example", str(k))
            for key in ("z", "a", "delta"):
                label = page.text_content(f'[data-unit="1:1"] [data-key="{key}"]').split()[-1]
                assert float(label) == pytest.approx(float(fmt(expected[key][k][0], 5)), rel=1e-4)


@pytest.mark.parametrize("loss", ["half_squared_error", "squared_error", "mean_squared_error"])
def test_the_page_shows_the_loss_that_follows_from_the_a_minus_y_shown(page, loss):
    from glassnet.render.numbers import shown_trace

    for data, zero in (
        # a = 0.1 + 0.2 against y = 0.3: a − y, ℓ and L after shown 0, as the text shows
        ({"input": [0.1, 0.2], "target": [0.3], "weights": [[1.0], [1.0]]}, True),
        # and beside an output that misses: ℓ of the other alone, L after the engine's
        (
            {
                "input": [[0.1, 0.2], [1.0, 0.0]],
                "target": [[0.3, 1.0], [1.0, 0.0]],
                "weights": [[1.0, 0.5], [1.0, 2.5]],
            },
            False,
        ),
    ):
        layer = {"activation": "identity", "weights": data.pop("weights")}
        trace = parse_spec({**data, "loss": loss, "layer": [layer]}).explain()
        python = shown_trace(trace.to_dict())
        open_trace(page, trace)
        assert_same_zeros(page, trace)
        js = page.evaluate("window.glassnet.shown()")
        assert js["loss"] == pytest.approx(python["loss"], rel=1e-12, abs=0)
        assert js["loss_after"] == pytest.approx(python["loss_after"], rel=1e-12, abs=0)
        assert (js["loss"] == 0 and js["loss_after"] == 0) == zero
        for stage in ("loss", "update"):  # L = … and L_after = …, the last number
            page.click(f'[data-action="{stage}"]')
            last = page.inner_text("#equation").split()[-1]
            assert (last == "0") == zero, stage


def test_the_page_takes_no_real_number_for_residue(page):
    for data in (
        {
            "input": [1.0],
            "target": [1.0, 0.0],
            "loss": "cross_entropy",
            "layer": [{"activation": "softmax", "weights": [[0.0, 800.0]]}],
        },
        {
            "input": [0.1, 0.2, 0.3],
            "target": [1.0, 0.0],
            "loss": "squared_error",
            "layer": [
                {"activation": "softmax", "weights": [[400.0, 1.0], [0.0, 1.0], [0.0, -1.0]]}
            ],
        },
    ):
        trace = parse_spec(data).explain()
        open_trace(page, trace)
        assert_same_zeros(page, trace)
        shown = page.evaluate("window.glassnet.shown().layers[0]")
        assert shown["delta"][0][1] != 0 and shown["a"][0][1] != 0  # ±1, and e^-40 / (1 + …)


@pytest.mark.parametrize("index", [0, 1])
def test_the_page_keeps_a_z_whose_derivative_was_taken_across_the_kink(page, index):
    # relu′ taken as 1 at z = 5.6e-17: the page shows that z, as text and Markdown do
    from test_render import KINK_RESIDUE

    _, data, at_zero = KINK_RESIDUE[index]
    trace = parse_spec(data).explain()
    open_trace(page, trace)
    assert_same_zeros(page, trace)
    shown = page.evaluate("window.glassnet.shown().layers[0]")
    z, d = np.asarray(shown["z"]), np.asarray(trace.layers[0].da_dz)
    assert np.all(d[z == 0] == at_zero) and np.any(z != 0)


def test_the_pages_trace_has_the_keys_of_the_format(page):
    from conftest import LAYER_KEYS, TOP_KEYS

    trace = load_spec(EXAMPLES[0]).explain()
    js = open_trace(page, trace).evaluate("window.glassnet.trace()")
    assert sorted(js) == sorted(TOP_KEYS)
    assert all(sorted(layer) == sorted(LAYER_KEYS) for layer in js["layers"])


def test_the_detail_panel_follows_an_edit_and_the_example(page):
    # a clicked weight's detail shows the step as it now is, not the one before the edit
    spec = load_spec(EXAMPLES[1])
    open_trace(page, spec.explain())
    page.dispatch_event('[data-weight="1:1:1"]', "click")
    page.fill('[data-edit="input"]', "5, 5, 5")
    page.dispatch_event('[data-edit="input"]', "change")
    edited = explain_step(spec.network, np.array([[5.0, 5.0, 5.0]]), spec.Y, spec.learning_rate)
    total = re.search(r"Σ = ([-+0-9.e]+)", page.inner_text("#detail"))
    assert total and float(total.group(1)) == pytest.approx(edited.layers[0].grad_W[0][0], 1e-4)
    # a clicked unit's detail follows the example chosen
    net, X, Y = random_case(11, [3, 4, 3], ["tanh", "softmax"], "cross_entropy", 3)
    trace = explain_step(net, X, Y, 0.1)
    open_trace(page, trace)
    page.dispatch_event('[data-unit="2:1"]', "click")
    page.select_option("#example", "1")
    assert f"z = {trace.layers[1].z[1][0]:.5g}" in page.inner_text("#detail")


def test_a_refused_edit_goes_with_the_next_valid_one(page):
    # the refused field shows the weights the step uses again, and no stale message stays
    spec = load_spec(EXAMPLES[1])
    open_trace(page, spec.explain())
    page.fill('[data-edit="W:0"]', "9, 9, 9\n9, 9, 9\n9, 9")
    page.dispatch_event('[data-edit="W:0"]', "change")
    assert "W1: expected 3 rows" in page.inner_text("#edit-error")
    page.fill('[data-edit="input"]', "0.5, 0.5, 0.5")
    page.dispatch_event('[data-edit="input"]', "change")
    assert page.inner_text("#edit-error") == ""
    rows = page.input_value('[data-edit="W:0"]').splitlines()
    assert [[float(v) for v in r.split(",")] for r in rows] == spec.network.layers[0].W.tolist()
    assert page.get_attribute('[data-edit="W:0"]', "aria-invalid") is None


def test_only_the_examples_that_saturated_are_said_to(page):
    # one example of three saturates: the engine takes a − y for all, but the other two
    # did not saturate, and their weights' paths are listed
    trace = parse_spec(
        {
            "input": [[40.0], [0.5], [-3.0]],
            "target": [[0.0, 1.0], [0.6, 0.2], [1.0, 0.0]],
            "loss": "binary_cross_entropy",
            "layer": [{"activation": "sigmoid", "weights": [[1.0, -2.0]], "bias": [0.0, 0.5]}],
        }
    ).explain()
    open_trace(page, trace)
    assert page.evaluate("window.glassnet.saturated()") == [True, False, False]
    page.select_option("#example", "1")
    page.dispatch_event('[data-unit="1:1"]', "click")
    assert "saturated" not in page.inner_text("#detail")
    page.dispatch_event('[data-weight="1:1:1"]', "click")
    assert "Every path" in page.inner_text("#detail")


def test_a_weights_paths_over_a_batch_list_1_over_m_among_their_factors(page):
    # each path's value is a mean over the m examples: its factors multiply to it
    batch = parse_spec(
        {
            "input": [[0.5, -1.0], [2.0, 0.25], [-0.3, 0.8]],
            "target": [[1.0], [0.0], [1.0]],
            "loss": "binary_cross_entropy",
            "layer": [
                {"activation": "tanh", "weights": [[0.3, -0.7, 0.2], [0.9, 0.1, -0.4]]},
                {"activation": "sigmoid", "weights": [[0.5], [-0.2], [0.8]]},
            ],
        }
    )
    open_trace(page, batch.explain())
    page.select_option("#example", "1")
    page.dispatch_event('[data-weight="1:1:1"]', "click")
    items = [li.inner_text() for li in page.query_selector_all("#detail .paths li")]
    assert len(items) == 1 and "1/m=1/3" in items[0], items
    factors, value = items[0].rsplit(" = ", 1)
    numbers = [
        1 / 3 if f.startswith("1/m") else float(f.split("=")[1]) for f in factors.split(" · ")
    ]
    assert math.prod(numbers) == pytest.approx(float(value), rel=1e-4)


def test_an_edit_the_spec_would_refuse_is_refused_and_the_step_kept(page):
    open_trace(page, load_spec(EXAMPLES[1]).explain())  # seed 001: softmax, a cross-entropy
    before = page.evaluate("window.glassnet.trace().loss")
    page.fill('[data-edit="target"]', "-1, 2, 0")
    page.dispatch_event('[data-edit="target"]', "change")
    assert page.get_attribute('[data-edit="target"]', "aria-invalid") == "true"
    loss = load_spec(EXAMPLES[1]).network.loss.name
    assert f"target: {loss} takes targets in [0, 1]" in page.inner_text("#edit-error")
    assert "found values from -1 to 2" in page.inner_text("#edit-error")
    assert page.evaluate("window.glassnet.trace().loss") == before
    # an identity output of a binary cross-entropy, pushed past 1 by a weight
    ident = parse_spec(
        {
            "input": [1.0, 1.0],
            "target": [1.0, 0.0],
            "loss": "binary_cross_entropy",
            "layer": [{"activation": "identity", "weights": [[0.3, 0.2], [0.4, 0.1]]}],
        }
    )
    open_trace(page, ident.explain())
    before = page.evaluate("window.glassnet.net.layers[0].W")
    page.fill('[data-edit="W:0"]', "3, 0.2\n0.4, 0.1")
    page.dispatch_event('[data-edit="W:0"]', "change")
    error = page.inner_text("#edit-error")
    assert "W1: binary_cross_entropy takes outputs 0 ≤ a ≤ 1" in error
    assert "layer 1 (identity) would give a = 3.4 (unit 1)" in error
    assert page.evaluate("window.glassnet.net.layers[0].W") == before
    assert page.evaluate("window.glassnet.trace().loss") > 0
    page.fill('[data-edit="W:0"]', "1e308, 1e308\n1e308, 1e308")  # a = ∞ − ∞
    page.dispatch_event('[data-edit="W:0"]', "change")
    error = page.inner_text("#edit-error")
    assert "the numbers overflow (weights or inputs too large)" in error
    assert "use a sigmoid" not in error


def test_a_wide_layer_is_drawn_at_size_in_a_box_that_scrolls(page):
    net, X, Y = random_case(8, [4, 40, 3], ["relu", "softmax"], "cross_entropy", 1)
    open_trace(page, explain_step(net, X, Y, 0.1))
    circle = page.query_selector('[data-unit="1:20"] circle').bounding_box()
    assert circle["height"] >= 55  # r = 30, not shrunk to the window
    box = page.query_selector("#net-box").bounding_box()
    assert box["height"] <= 0.7 * 800 + 2  # the drawing scrolls inside it
    assert page.get_attribute('[data-edit="W:1"]', "rows") == "12"  # W2 has 40 rows
    page.focus('[data-unit="1:20"]')
    page.keyboard.press(" ")  # a role="button" takes Space as Enter
    assert "z" in page.inner_text("#detail")


def test_the_field_clicked_after_an_edit_keeps_the_focus_and_takes_what_is_typed(page):
    # the edit's change fires as the next field is clicked: the fields are kept, not made
    # again (a field made again lost that click, and what was typed next went nowhere)
    open_trace(page, load_spec(EXAMPLES[1]).explain())
    page.fill('[data-edit="input"]', "1, 2, 3")
    page.click('[data-edit="W:0"]')
    assert page.evaluate("window.glassnet.net.input[0]") == [1, 2, 3]  # the edit was taken
    assert page.evaluate("document.activeElement.getAttribute('data-edit')") == "W:0"
    page.keyboard.press("Control+End")
    page.keyboard.type("7")
    assert page.input_value('[data-edit="W:0"]').endswith("7")


def test_a_units_long_numbers_stay_inside_its_circle(page):
    open_trace(page, load_spec(EXAMPLES[1]).explain())
    page.click('[data-action="update"]')
    widths = page.evaluate(
        "[...document.querySelectorAll('.unit')].map(u => [u.querySelector('circle')"
        ".getBoundingClientRect().width, Math.max(...[...u.querySelectorAll('text')]"
        ".map(t => t.getBoundingClientRect().width))])"
    )
    assert widths and all(text <= circle for circle, text in widths), widths


def _tex(page):
    """The TeX of each equation shown (KaTeX's MathML keeps it as an annotation)."""
    return page.evaluate(
        "[...document.querySelectorAll('#equation .eq annotation')].map(a => a.textContent)"
    )


def _bmatrices(tex):
    """Every bmatrix of a TeX line as rows of numbers."""
    found = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", tex)
    return [[[float(c) for c in row.split("&")] for row in m.split("\\\\")] for m in found]


def test_a_w_x_spec_is_shown_and_edited_as_written(page):
    # seed 003 writes a1 = W1 x + b1: row j of its W holds unit j's weights
    spec = load_spec(EXAMPLES[2])
    assert spec.weights_layout == "out_in"
    written = [np.array(layer["weights"], dtype=float) for layer in _spec_layers(EXAMPLES[2])]
    trace = spec.explain()
    open_trace(page, trace, weights_layout="out_in")
    assert "and so are they shown here: a row per unit" in page.inner_text("header")
    assert page.get_attribute("#glassnet", "data-weights") == "w_x"
    symbols, product, z, _ = _tex(page)
    assert symbols.replace(" ", "") == "z^{[1]}=W^{[1]}a^{[0]}+b^{[1]}"
    W, x, b = _bmatrices(product)
    np.testing.assert_array_equal(W, written[0])  # as the sheet writes it, not transposed
    assert x == [[v] for v in spec.X[0]] and b == [[0.0]] * 4  # columns
    np.testing.assert_allclose(np.ravel(_bmatrices(z)[0]), trace.layers[0].z[0], rtol=1e-4)
    page.click('[data-action="backward"]')
    assert "top" not in _tex(page)[0]  # the output's ∂ℓ/∂a, from the loss
    page.click('[data-action="next"]')  # backward layer 1: ∂ℓ/∂a¹ = W²ᵀ δ²
    assert "W^{[2]\\top} \\delta^{[2]}" in _tex(page)[0]
    page.click('[data-action="update"]')
    W_new = _bmatrices(_tex(page)[0])[0]
    np.testing.assert_allclose(W_new, trace.layers[0].W_new.T, rtol=1e-4)
    # a weight is named as written: input 1 to unit 2 is W1[2,1], -0.3 on the sheet
    page.dispatch_event('[data-weight="1:1:2"]', "click")
    detail = page.inner_text("#detail")
    assert detail.startswith("W1[2,1] = -0.3")
    assert page.get_attribute('[data-weight="1:1:2"]', "aria-label") == "weight W1[2,1]"
    page.dispatch_event('[data-unit="1:1"]', "click")
    assert "δ = (Σ_k W_kj δ_k) · f'(z) = (0.5·" in page.inner_text("#detail")
    # the editors hold the matrices as written, and an edit is read so
    assert "W1 (rows: units)" in page.inner_text("#editors")
    field = page.input_value('[data-edit="W:1"]')
    rows = [[float(v) for v in r.split(",")] for r in field.split("\n")]
    np.testing.assert_array_equal(rows, written[1])
    page.fill('[data-edit="W:1"]', "0.5, 0.8, 0.2\n0.5, 0.2, 0.3")  # a row short
    page.dispatch_event('[data-edit="W:1"]', "change")
    assert "W2: expected 2 rows of 4 finite numbers" in page.inner_text("#edit-error")
    page.fill('[data-edit="W:1"]', "0.5, 0.8, 0.2, 0.4\n-0.5, 0.2, 0.3, 0.6")
    page.dispatch_event('[data-edit="W:1"]', "change")
    edited = spec.network.copy()
    edited.layers[1].W[...] = np.array([[0.5, 0.8, 0.2, 0.4], [-0.5, 0.2, 0.3, 0.6]]).T
    expected = explain_step(edited, spec.X, spec.Y, spec.learning_rate)
    js = page.evaluate("window.glassnet.trace()")
    for layer, js_layer in zip(expected.layers, js["layers"], strict=True):
        for key in KEYS:
            assert_close(js_layer[key], getattr(layer, key), f"edited W x: {layer.index} {key}")
    # an x W page is as before: rows, a W and no attribute
    open_trace(page, load_spec(EXAMPLES[1]).explain())
    assert page.get_attribute("#glassnet", "data-weights") is None
    assert _tex(page)[0].replace(" ", "") == "z^{[1]}=a^{[0]}W^{[1]}+b^{[1]}"
    assert "W1 (rows: inputs)" in page.inner_text("#editors")


def _spec_layers(path):
    import tomllib

    return tomllib.loads(path.read_text("utf-8"))["layer"]
