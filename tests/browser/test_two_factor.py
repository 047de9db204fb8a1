"""Two-factor authentication in Chromium, on a server that requires it of the 三员 and the 项目办 (the default):
enrol → log out → log in with a code → lost phone: a recovery code → the 安全管理员 resets → enrol again."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest

from tests.browser.conftest import _serve, login, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def otp_live_url(server_env, demo_var_dir, tmp_path_factory):
    env = dict(server_env, TUIJIN_VAR_DIR=str(tmp_path_factory.mktemp("tuijin-var-2fa")))
    env.pop("TUIJIN_2FA_REQUIRED_ROLES")  # the default: the 三员 and the 项目办 must enrol
    yield from _serve(env, demo_var_dir)


class Authenticator:
    """What the phone app does (RFC 6238, SHA-1, 6 digits, 30 s), from the key shown on the enrolment page. Each
    code is from a later time step than the last one, since the server refuses a code used before."""

    def __init__(self, secret: str):
        text = secret.replace(" ", "")
        self.key = base64.b32decode(text + "=" * (-len(text) % 8))
        self.last_step = -1

    def code(self) -> str:
        step = max(int(time.time()) // 30, self.last_step + 1)  # the server accepts one step ahead
        self.last_step = step
        digest = hmac.new(self.key, struct.pack(">Q", step), hashlib.sha1).digest()
        offset = digest[-1] & 0x0F
        value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
        return f"{value % 1_000_000:06d}"


def logout(page):
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url("**/accounts/login/**")


def enrol(page, name: str) -> tuple[Authenticator, list[str]]:
    page.wait_for_url("**/accounts/2fa/enrol/**")
    assert page.locator("#tj-otp-qr svg").is_visible()
    phone = Authenticator(page.locator("#tj-otp-secret").inner_text())
    shot(page, f"2fa-{name}-enrol")
    page.fill("#id_code", phone.code())
    page.click("#tj-otp-enrol-submit")
    codes = [c.strip() for c in page.locator("#tj-recovery-codes li").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", c) for c in codes)
    shot(page, f"2fa-{name}-recovery-codes")
    page.click("#tj-recovery-continue")
    return phone, codes


def test_enrol_login_lost_device_reset_and_enrol_again(browser, otp_live_url):
    url = otp_live_url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860})
    page = context.new_page()
    page.set_default_timeout(20000)

    # 1. the 项目办 signs in with the password and must enrol before anything else
    login(page, url, "xmb")
    page.wait_for_url("**/accounts/2fa/enrol/**")
    assert "须使用双因素认证" in page.locator("#tj-otp-required").inner_text()
    page.goto(f"{url}/projects/")
    assert "/accounts/2fa/enrol/" in page.url
    phone, codes = enrol(page, "xmb")
    page.wait_for_url("**/projects/**")  # where it was going
    logout(page)

    # 2. the next login asks for the code; nothing else answers until it is entered
    login(page, url, "xmb")
    page.wait_for_url("**/accounts/2fa/verify/**")
    page.goto(f"{url}/projects/")
    assert "/accounts/2fa/verify/" in page.url
    api = page.request.get(f"{url}/api/org/units/")
    assert api.status == 401
    page.fill("#id_code", "000000" if phone.code() != "000000" else "111111")
    phone.last_step -= 1  # that step was not used
    page.click("#tj-otp-submit")
    assert "验证码错误" in page.locator("#tj-otp-error").inner_text()
    shot(page, "2fa-verify-wrong-code")
    page.fill("#id_code", phone.code())
    page.click("#tj-otp-submit")
    page.wait_for_url("**/projects/**")
    assert page.request.get(f"{url}/api/org/units/").status == 200
    logout(page)

    # 3. the phone is lost: a recovery code signs in once
    login(page, url, "xmb")
    page.wait_for_url("**/accounts/2fa/verify/**")
    page.fill("#id_code", codes[0])
    page.click("#tj-otp-submit")
    page.wait_for_url(f"{url}/")
    assert "还剩 9 个" in page.content()
    shot(page, "2fa-recovery-code-used")
    logout(page)
    login(page, url, "xmb")
    page.fill("#id_code", codes[0])
    page.click("#tj-otp-submit")
    assert "验证码错误" in page.locator("#tj-otp-error").inner_text()  # used up
    page.click("text=返回登录（退出）")
    page.wait_for_url("**/accounts/login/**")

    # 4. the 安全管理员 (enrolling first: the role requires it) resets xmb's second factor
    login(page, url, "secadmin")
    enrol(page, "secadmin")
    page.goto(f"{url}/accounts/users/?q=xmb")
    page.click("a[href^='/accounts/users/']:has-text('xmb')")
    assert "已启用" in page.locator("#tj-account-otp-status").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#tj-account-otp-reset")
    page.wait_for_load_state()
    assert "已重置账户 xmb 的双因素认证" in page.content()
    assert "未启用" in page.locator("#tj-account-otp-status").inner_text()
    shot(page, "2fa-secadmin-reset")
    logout(page)

    # 5. xmb enrols a new phone at the next login; the old codes are gone and a notice says why
    login(page, url, "xmb")
    new_phone, new_codes = enrol(page, "xmb-again")
    assert not set(new_codes) & set(codes)
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/notifications/")
    assert "双因素认证已被重置" in page.content()
    context.close()
