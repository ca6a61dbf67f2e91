import pytest
from cryptography.exceptions import InvalidTag

from skillcert.core.logging import mask_personal_data
from skillcert.core.personal_data import blind_index, decrypt, encrypt, mask_id_number, mask_mobile

NUMBER = "11010519491231002X"


def test_encryption_round_trips_and_hides_the_number():
    ciphertext = encrypt(NUMBER, purpose="resident_id")

    assert ciphertext.startswith("v1:aesgcm:")
    assert NUMBER not in ciphertext
    assert decrypt(ciphertext, purpose="resident_id") == NUMBER
    assert encrypt(NUMBER, purpose="resident_id") != ciphertext  # fresh nonce each time


def test_tampered_or_repurposed_ciphertext_is_rejected():
    ciphertext = encrypt(NUMBER, purpose="resident_id")
    flipped = ciphertext[:-2] + ("A" if ciphertext[-2] != "A" else "B") + ciphertext[-1]

    with pytest.raises(InvalidTag):
        decrypt(flipped, purpose="resident_id")
    with pytest.raises(InvalidTag):
        decrypt(ciphertext, purpose="mobile")


def test_blind_index_is_stable_keyed_and_purpose_bound():
    assert blind_index(NUMBER, purpose="candidate_id") == blind_index(NUMBER, purpose="candidate_id")
    assert blind_index(NUMBER, purpose="candidate_id") != blind_index(NUMBER, purpose="certificate_query")
    other_number = "110105194912310021"
    assert blind_index(NUMBER, purpose="candidate_id") != blind_index(other_number, purpose="candidate_id")
    assert len(blind_index(NUMBER, purpose="candidate_id")) == 64


def test_one_mask_hides_the_birth_date():
    assert mask_id_number(NUMBER) == "110***********002X"
    assert mask_id_number("12345") == "*****"
    assert mask_mobile("13812345678") == "138****5678"


def test_log_filter_masks_ids_and_mobiles():
    line = f"导入失败：{NUMBER}，手机 13812345678，行 5"
    assert mask_personal_data(line) == "导入失败：110***********002X，手机 138****5678，行 5"


def test_log_filter_masks_ids_in_tracebacks():
    import io
    import logging

    from skillcert.core.logging import MaskPersonalDataFilter

    # given a logger whose handler carries the filter, as settings.LOGGING configures the console
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalDataFilter())
    logger = logging.getLogger("skillcert.test.traceback")
    logger.addHandler(handler)
    logger.propagate = False

    # when an exception whose message holds an ID number is logged with its traceback
    try:
        raise ValueError(f"unexpected value {NUMBER}")
    except ValueError:
        logger.exception("import failed")
    logger.removeHandler(handler)

    # then neither the message nor the traceback carries the full number
    output = stream.getvalue()
    assert "Traceback" in output
    assert NUMBER not in output
    assert "110***********002X" in output
