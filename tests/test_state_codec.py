"""The player's saved-state text packing (builder/runtime/tracking.js), run in Node.js.

What the build's budget (state_budget.py) relies on: every text round-trips, the output is
printable ASCII without the field separators, English costs 1 a character, and any character of any
assigned plane costs at most 3 packed units (4 counting its UTF-8 copy in cmi.comments), plus 1.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from coursepack.render.state_budget import COST_PER_CHAR, chars_always_fitting, worst_cost
from conftest import REPO

TRACKING = REPO / "builder" / "runtime" / "tracking.js"
NODE = shutil.which("node")

RUNNER = """
const fs = require("fs"), vm = require("vm");
const w = { console }; w.window = w; vm.createContext(w);
vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), w);
const c = w.Coursepack.codec, texts = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(texts.map(t => {
  const p = c.pack(t);
  return { packed: p, back: c.unpack(p), length: c.packedLength(t), cost: c.reflectionCost(t),
           fit: c.fitReflection(t, 40, null), fitChars: c.fitReflection(t, 1000, 5),
           fitPacked: c.packedLength(c.fitReflection(t, 40, null)) };
})));
"""


def run_codec(texts: list[str]) -> list[dict]:
    if NODE is None:
        pytest.skip("needs Node.js (node) to run the player's JavaScript")
    out = subprocess.run([NODE, "-e", RUNNER, str(TRACKING)], input=json.dumps(texts), capture_output=True,
                         text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


SCRIPTS = {
    "english": "Spam filters, speech-to-text: 100% AI? Yes (mostly) - see notes.",
    "french": "Les élèves écrivent déjà des réponses où l'IA aide.",
    "russian": "Ученики используют ИИ для проверки грамматики.",
    "greek": "Οι μαθητές χρησιμοποιούν τεχνητή νοημοσύνη.",
    "arabic": "يستخدم الطلاب الذكاء الاصطناعي في الواجبات",
    "chinese": "学生用人工智能检查语法，有些人粘贴整篇文章。",
    "japanese": "生徒はAIで文法をチェックします。",
    "emoji": "👩‍🏫📚🙂 ok 🎉🇺🇸🏴󠁧󠁢󠁥󠁮󠁧󠁿",
    "separators": "a|b~c`d\nline two\ttab",
    "far planes": "\U000E0067\U000F0000\U0010FFFD\U00020000",
}


def test_every_script_round_trips_within_the_proven_cost() -> None:
    texts = list(SCRIPTS.values())
    for text, got in zip(texts, run_codec(texts)):
        n = len(text)  # code points, as the learner's counter and Python count them
        assert got["back"] == text
        assert got["length"] == len(got["packed"]) <= 3 * n + 1
        assert all(32 <= ord(ch) < 127 for ch in got["packed"]) and "|" not in got["packed"] and "~" not in got["packed"]
        assert got["cost"] == max(got["length"], utf8_len(text)) <= worst_cost(n) == COST_PER_CHAR * n + 1
        # the fitted prefixes respect both limits and are prefixes
        assert text.startswith(got["fit"]) and max(got["fitPacked"], utf8_len(got["fit"])) <= 40
        assert text.startswith(got["fitChars"]) and len(got["fitChars"]) == min(5, n)
    assert run_codec([SCRIPTS["english"]])[0]["packed"] == SCRIPTS["english"]  # English is stored as typed


def test_random_texts_round_trip() -> None:
    rng = random.Random(20261202)
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x52F), (0x600, 0x6FF), (0x4E00, 0x9FFF),
              (0xAC00, 0xD7A3), (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0xE0000, 0xE007F), (0x0, 0x1F)]
    texts = []
    for _ in range(300):
        text = "".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(rng.randint(0, 40)))
        texts.append(text)
    for text, got in zip(texts, run_codec(texts)):
        assert got["back"] == text and got["length"] <= 3 * len(text) + 1


def test_the_budget_guarantee_in_numbers() -> None:
    # a cap of 548 units (each of the example course's seven reflections) always holds 136 characters
    assert chars_always_fitting(548) == 136 and worst_cost(136) <= 548 < worst_cost(137)
