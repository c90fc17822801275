"""The default path (ask, serve's app) never imports torch or sentence-transformers: `pip install -e .`
without the `st` extra must be enough for the main job."""
from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "sentence_transformers", "transformers")
PROBE = """
import json, sys
from chat_app.cli import main
from chat_app.api import create_app
rc = main(["ask", "规划里提到的黄河滩区有什么安排？", "--json"])
print(json.dumps({"rc": rc, "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(%r))}))
""" % (HEAVY,)


def test_ask_and_the_app_import_no_torch():
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result == {"rc": 0, "heavy": []}, r.stderr
