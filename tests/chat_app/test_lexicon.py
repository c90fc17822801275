"""The word lists may not fire on the plan's own text or on ordinary answerable questions."""
import re

from chat_app.guards import is_injection
from chat_app.lexicon import ADVICE_RE, ASKED_DETAILS, BROAD_RE, NEGATIVE_VERBS, QUESTION_SCAFFOLD
from eval.data import SPLITS, load_questions
from ingest.chunker import sentences


def test_injection_check_flags_no_sentence_of_the_plan(chunks):
    flagged = [s for c in chunks for s in sentences(c.text) if is_injection(s)]
    assert flagged == []


def test_injection_check_flags_no_answerable_evaluation_question():
    flagged = [q.id for sp in SPLITS for q in load_questions(sp) if q.answerable and is_injection(q.question)]
    assert flagged == []


def test_advice_and_broad_phrasings_are_not_the_plans_words(chunks):
    """Both read how a question asks; neither may match what the plan itself says."""
    text = "".join(c.text for c in chunks)
    assert ADVICE_RE.findall(text) == [] and BROAD_RE.findall(text) == []


def test_question_scaffolding_holds_no_topic_word_of_the_plans_headings(chunks):
    """Scaffolding words are left out of coverage: none may be what a section is about."""
    heads = {c.section.split(" ", 1)[-1] for c in chunks if c.section}
    assert not [w for w in QUESTION_SCAFFOLD if len(w) >= 2 and w in heads]


def test_every_detail_pattern_compiles_and_asks_something():
    for name, ask, says in ASKED_DETAILS:
        assert name and ask.pattern and says.pattern
        assert not ask.search("规划对生态保护提出了哪些要求")


def test_negative_verbs_are_words_not_patterns():
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", v) for v in NEGATIVE_VERBS.split())
