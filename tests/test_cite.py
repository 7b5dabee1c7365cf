from rag.answering.citations import align_quote
from rag.text.markers import parse_markers
from rag.text.overlap import support
from rag.text.units import complete_sentences, sentence_spans, split_sentences


def test_parse_markers_variants():
    assert parse_markers("It is red [2].") == ("It is red.", [2])
    assert parse_markers("It is red [2][1] and big [2]") == ("It is red and big", [2, 1])
    assert parse_markers("Per 【3】 and [source 1].") == ("Per and.", [3, 1])
    assert parse_markers("No markers.") == ("No markers.", [])


def test_streamed_sentences_are_released_only_when_final():
    done, rest = complete_sentences("The fan stopped. [1")
    assert done == [] and rest == "The fan stopped. [1"
    done, rest = complete_sentences("The fan stopped. [1] Unplug it")
    assert done == ["The fan stopped. [1]"] and rest == "Unplug it"
    assert split_sentences("A b c. D e f? G") == ["A b c.", "D e f?", "G"]


def test_quote_is_the_supporting_sentence_across_wrapped_lines():
    passage = (
        "Error code E17 means a firmware update failed.\nHold the reset\nbutton for "
        "ten seconds to restore it. Error code E05 means no internet."
    )
    start, end = align_quote("Hold the reset button for ten seconds.", passage)
    assert passage[start:end] == "Hold the reset\nbutton for ten seconds to restore it."


def test_support_catches_invented_numbers_and_names():
    passage = "The warranty lasts three years and covers the cooling fan."
    assert support("The warranty covers the cooling fan.", passage) == 1.0
    assert support("The warranty lasts 5 years at Acme.", passage) < 0.5


def test_streamed_rest_keeps_its_spacing():
    done, rest = complete_sentences("It stopped. The ")
    assert done == ["It stopped."] and rest == "The "
    _, rest = complete_sentences(rest + "fan ")
    assert rest == "The fan "


def test_abbreviations_and_initials_do_not_end_a_streamed_sentence():
    """Measured on SQuAD: answers cut at "J." or "St." were shown as sentences of their own."""
    reply = "The ball was punched in by C. J. Anderson at St. Mary's [1]. Warsaw had c. 1,300,000 "
    reply += "people in the U.S. census. It ended at 2 a.m. on Monday."
    done, buffer = [], ""
    for token in reply.split(" "):  # streamed word by word, as the model writes
        buffer += token + " "
        finished, buffer = complete_sentences(buffer)
        done += finished
    done += split_sentences(buffer)
    assert done == [
        "The ball was punched in by C. J. Anderson at St. Mary's [1].",
        "Warsaw had c. 1,300,000 people in the U.S. census.",
        "It ended at 2 a.m. on Monday.",
    ]


def test_quote_spans_keep_a_name_with_its_initial():
    first, second = "Notable are St. John's Cathedral.", "It was rebuilt by Christopher J. Wren."
    passage = f"{first} {second}"
    assert [passage[a:b] for a, b in sentence_spans(passage)] == [first, second]


def test_prose_wrapped_before_a_capital_or_a_number_stays_one_sentence():
    # documentation wrapped by hand: a line break before "Handbook." or "1.3.x" is not the end
    # of a heading or a list item, whatever case the next line starts with
    passage = (
        "Where can I read more?\n"
        "Further information is maintained in the Lumen Router Kernel\n"
        "Handbook.\n"
        "Older codenames are: buzz for release 1.1, bo for releases\n"
        "1.3.x, and hamm for release 2.0.\n"
        "Commands\n"
        " lumen-cli show status -> lumen status --all --verbose\n"
        " lumen-cli show version -> lumen version --short --all\n"
        "- Install the lumen-tools package on every router first\n"
        "- Then run lumen-cli once"
    )
    assert [passage[a:b] for a, b in sentence_spans(passage)] == [
        "Where can I read more?",
        "Further information is maintained in the Lumen Router Kernel\nHandbook.",
        "Older codenames are: buzz for release 1.1, bo for releases\n1.3.x, and hamm for release"
        " 2.0.",
        "Commands",  # a heading, then command lines and list items: each its own unit
        " lumen-cli show status -> lumen status --all --verbose",
        " lumen-cli show version -> lumen version --short --all",
        "- Install the lumen-tools package on every router first",
        "- Then run lumen-cli once",
    ]
