from django.test import RequestFactory, override_settings

from tuijin.core.net import client_ip

rf = RequestFactory()


def test_direct_client_ignores_forwarded_header():
    request = rf.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.5"


@override_settings(TUIJIN_TRUSTED_PROXIES=["10.0.0.1"])
def test_trusted_proxy_uses_rightmost_untrusted_entry():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"


@override_settings(TUIJIN_TRUSTED_PROXIES=["10.0.0.1", "10.0.0.2"])
def test_chain_of_trusted_proxies():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2")
    assert client_ip(request) == "198.51.100.7"


@override_settings(TUIJIN_TRUSTED_PROXIES=["10.0.0.1"])
def test_garbage_header_falls_back_to_proxy_address():
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == "10.0.0.1"


@override_settings(TUIJIN_TRUSTED_PROXIES=["10.0.0.1"], TUIJIN_LOCKOUT_IP_FAILURES=5)
def test_lockout_counts_the_real_client_behind_the_proxy(client, db):
    from tuijin.users.models import Lockout

    for i in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"x{i}", "password": "bad"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.9",
        )
    assert Lockout.objects.filter(kind="ip", key="198.51.100.9").exists()
    assert not Lockout.objects.filter(kind="ip", key="10.0.0.1").exists()
