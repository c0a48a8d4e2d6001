"""Make docs/img/gexf-sigma.png: a GEXF file drawn by graphology and sigma.js (the libraries
Gephi Lite is built on) in headless Chromium.

Not part of the build: run it by hand when the picture should change. It needs Node.js and
npm (for graphology, graphology-gexf, sigma and esbuild, installed into a temporary folder),
Debian's chromium and chromium-driver, and selenium::

    collabnet demo -o /tmp/demo
    python docs/_tools/gexf_screenshot.py /tmp/demo/country_network.gexf docs/img/gexf-sigma.png
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = ["graphology@0.26", "graphology-gexf@0.13", "sigma@3", "esbuild@0.28"]


def bundle(work: Path) -> str:
    """graphology + graphology-gexf + sigma and gexf_view.js as one script."""
    subprocess.run(["npm", "init", "-y"], cwd=work, check=True, capture_output=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", *PACKAGES], cwd=work,
                   check=True, capture_output=True)
    (work / "view.js").write_text((HERE / "gexf_view.js").read_text())
    subprocess.run(["npx", "esbuild", "view.js", "--bundle", "--format=iife",
                    "--outfile=bundle.js"], cwd=work, check=True, capture_output=True)
    return (work / "bundle.js").read_text()


def page(gexf: str, script: str, caption: str) -> str:
    data = json.dumps(gexf).replace("</", "<\\/")  # no "</script>" inside the script
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; font-family: sans-serif; background: #fff; }}
#sigma {{ width: 100vw; height: 100vh; }}
#caption {{ position: absolute; left: 16px; bottom: 12px; font-size: 14px; color: #555; }}
#synthetic {{ position: absolute; right: 16px; bottom: 12px; font-size: 14px; color: #c0392b; }}
</style></head><body><div id="sigma"></div>
<div id="caption">{html.escape(caption)}</div>
<div id="synthetic">SYNTHETIC DATA: generated records, not real OpenAlex data</div>
<script>window.GEXF = {data};</script>
<script>{script}</script></body></html>"""


def main(gexf_path: str, out_path: str) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    gexf = Path(gexf_path).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        caption = (f"{Path(gexf_path).name} drawn by graphology + sigma.js "
                   "(Gephi Lite's libraries): the file's positions, sizes, colours")
        (work / "page.html").write_text(page(gexf, bundle(work), caption), encoding="utf-8")
        options = Options()
        for arg in ("--headless=new", "--no-sandbox", "--window-size=1200,900",
                    "--hide-scrollbars", "--use-angle=swiftshader",
                    "--enable-unsafe-swiftshader"):
            options.add_argument(arg)
        options.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(options=options,
                                  service=webdriver.ChromeService("/usr/bin/chromedriver"))
        try:
            driver.get((work / "page.html").as_uri())
            for _ in range(50):
                if driver.title.startswith("ready"):
                    break
                time.sleep(0.2)
            else:
                raise SystemExit(f"the page did not draw: {driver.get_log('browser')}")
            time.sleep(1.0)
            driver.save_screenshot(out_path)
            print(f"{out_path}: {driver.title[6:]}")
        finally:
            driver.quit()


if __name__ == "__main__":
    main(*sys.argv[1:3])
