"""Make hipnb/static/keep_awake.webm and .mp4, the phone page's keep-awake video: 2 s of a dark
16x16 canvas recorded by chromium's MediaRecorder (no audio track). Run from the repository root:
``.venv/bin/python tests/keep_awake_media.py``. Not a test: the files are committed."""

from __future__ import annotations

import base64
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS

RECORD = """async (mime) => {
  if (!MediaRecorder.isTypeSupported(mime)) return null;
  const c = document.createElement('canvas'); c.width = 16; c.height = 16;
  const g = c.getContext('2d');
  const stream = c.captureStream(4);
  const rec = new MediaRecorder(stream, {mimeType: mime, videoBitsPerSecond: 20000});
  const parts = [];
  rec.ondataavailable = (e) => parts.push(e.data);
  let i = 0;
  const t = setInterval(() => {
    g.fillStyle = i++ % 2 ? '#000001' : '#000000'; g.fillRect(0, 0, 16, 16);
  }, 250);
  rec.start();
  await new Promise(r => setTimeout(r, 2000));
  rec.stop();
  await new Promise(r => rec.onstop = r);
  clearInterval(t);
  const buf = new Uint8Array(await new Blob(parts).arrayBuffer());
  let s = ''; for (const b of buf) s += String.fromCharCode(b);
  return btoa(s);
}"""
MEDIA = {"video/webm;codecs=vp8": "keep_awake.webm", "video/mp4;codecs=avc1": "keep_awake.mp4"}


def main() -> None:
    static = Path(__file__).resolve().parent.parent / "hipnb" / "static"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto("about:blank")
        for mime, name in MEDIA.items():
            data = page.evaluate(RECORD, mime)
            if data is None:
                raise SystemExit(f"this chromium cannot record {mime}")
            (static / name).write_bytes(base64.b64decode(data))
            print(static / name)
        browser.close()


if __name__ == "__main__":
    main()
