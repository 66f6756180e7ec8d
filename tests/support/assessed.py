"""The assessed example course (pre-test, testing out, evaluation, attestation) and the steps a
learner takes through it, for the tests of assessments."""
from __future__ import annotations

import os
import re

ASSESSED_COURSE = os.path.join(os.path.dirname(__file__), "..", "content", "fixtures", "assessed-course")
COURSE = "/courses/assessed"
PRETEST = f"{COURSE}/assessment/pre-test"
FINISH = f"{COURSE}/assessment/finish"
QUIZ = f"{COURSE}/indicators-quiz"
LESSON = f"{COURSE}/what-it-is"
SCENARIO = f"{COURSE}/ed-night-shift"


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def key_for(page: str, option_text: str) -> str:
    """The opaque value of the option (or right side of a pair) labelled ``option_text``."""
    radio = re.search(r'value="([0-9a-f]{16})"(?: required)?>\s*<label for="[^"]+">' + re.escape(option_text), page)
    return radio.group(1) if radio else re.search(r'<option value="([0-9a-f]{16})">' + re.escape(option_text),
                                                 page).group(1)


def pair_field(page: str, left: str) -> str:
    return re.search(r'<label for="([^"]+)">' + re.escape(left) + r'</label>\s*<select id="\1" name="([^"]+)"',
                     page).group(2)


def drawn(page: str) -> list[str]:
    """The ids of the questions a form shows."""
    found = re.findall(r'name="q-([a-z-]+)"', page) + (["match"] if 'name="q-match-' in page else [])
    return list(dict.fromkeys(found))


def answers(page: str, right: bool = True) -> dict:
    """Answers to every question the form drew: all right, or all wrong."""
    chosen = {
        "companion": ("Arrange to see her alone", "Call the police"),
        "signs": (["Someone else holds her passport", "She is never alone"], ["She has a mobile phone"]),
        "consent": ("False", "True"), "protocol": ("Palermo", "Geneva"), "elements": ("3", "7"),
    }
    data: dict = {"token": token_of(page)}
    for qid in drawn(page):
        if qid == "match":
            continue
        pick = chosen[qid][0 if right else 1]
        if qid in ("protocol", "elements"):
            data[f"q-{qid}"] = pick
        elif isinstance(pick, list):
            data[f"q-{qid}"] = [key_for(page, text) for text in pick]
        else:
            data[f"q-{qid}"] = key_for(page, pick)
    if "Match each example" in page:
        pairs = {"Recruitment": ("Act", "Means"), "Deception": ("Means", "Purpose"),
                 "Forced labour": ("Purpose", "Act")}
        for left, (good, bad) in pairs.items():
            data[pair_field(page, left)] = key_for(page, good if right else bad)
    return data


def confidence(count: int = 2, rating: int = 2) -> dict:
    return {f"confidence-{i}": str(rating) for i in range(count)}


def take_pretest(client, right: bool = False, rating: int = 2):
    page = client.get(PRETEST).get_data(as_text=True)
    return client.post(PRETEST, data={**answers(page, right), **confidence(rating=rating)})


def complete_course(client, quiz_right: bool = True) -> None:
    """The lesson, the scenario (best path) and the final check."""
    client.post(f"{LESSON}/sections/sexual-exploitation", data={"action": "read"})
    client.post(f"{LESSON}/complete")
    run = client.post(f"{SCENARIO}/runs").headers["Location"]
    for node, text in (("start", "Ask the boyfriend"), ("alone", "Ask open questions")):
        client.post(run, data={"node": node, "choice": key_for(client.get(run).get_data(as_text=True), text)})
    page = client.get(QUIZ).get_data(as_text=True)
    client.post(f"{QUIZ}/quiz", data=answers(page, quiz_right))


FINISHED = {**confidence(rating=4), "relevance": "5", "evaluation_confidence": "4",
            "change": "See every patient alone for part of the visit.", "comment": "", "hours": "1.5"}
