"""Tests write their own questions: none may copy an evaluation question (tuning or held out)."""
import ast
from pathlib import Path

from eval.data import HELD_OUT_DIALOGUES, SPLITS, TUNING_DIALOGUES, load_dialogues, load_questions, norm

TESTS = Path(__file__).resolve().parents[1]


def _strings(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {norm(n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_no_test_uses_an_eval_question_verbatim():
    questions = {norm(q.question) for sp in SPLITS for q in load_questions(sp)}
    dialogues = load_dialogues() + [d for path in (*HELD_OUT_DIALOGUES.values(), *TUNING_DIALOGUES.values()) for d in load_dialogues(path)]
    questions |= {norm(t["question"]) for d in dialogues for t in d["turns"]}
    copied = {str(p.relative_to(TESTS)): sorted(_strings(p) & questions) for p in TESTS.rglob("test_*.py")}
    assert {k: v for k, v in copied.items() if v} == {}
