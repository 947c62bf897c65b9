"""Third-party patches keep the behaviour they replace."""

from msrest.universal_http.requests import ClientRetryPolicy

from bot.hosting.patches import apply_patches


def test_msrest_retry_policy_retries_the_same_status_codes():
    before = ClientRetryPolicy().policy.status_forcelist
    apply_patches()
    apply_patches()
    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    assert sorted(ClientRetryPolicy().policy.status_forcelist) == sorted(before)
    assert 408 in before and 500 in before and 501 not in before
