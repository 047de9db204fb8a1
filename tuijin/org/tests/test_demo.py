from io import StringIO

from django.core.management import call_command

from tuijin.org.models import Membership, OrgUnit, Person, Region
from tuijin.users.models import User

DEMO_USERS = [
    "xmb",
    "xijie",
    "dongjie",
    "qudong",
    "wenhuajie",
    "xiangyang",
    "hongmen",
    "xiaodian",
    "hongkai",
    "xijie_sh",
    "baolian",
    "quling",
    "qiye",
    "swj",
    "hongkai_zs",
    "duban",
    "tongji",
    "sysadmin",
    "secadmin",
    "auditadmin",
]


def test_load_demo_builds_hongqi_and_is_idempotent(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    counts = (
        Region.objects.count(),
        OrgUnit.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    call_command("load_demo", stdout=StringIO())
    assert counts == (
        Region.objects.count(),
        OrgUnit.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert set(User.objects.values_list("username", flat=True)) == set(DEMO_USERS)
    for name in [
        "西街街道",
        "东街街道",
        "渠东街道",
        "文化街街道",
        "向阳小区街道",
        "洪门镇",
        "小店镇",
        "新乡红旗区先进制造业开发区",
        "新乡医学院",
        "河南科技学院",
        "河南工学院",
        "新乡学院",
        "新乡职业技术学院",
    ]:
        assert OrgUnit.objects.filter(name=name).exists(), name
    assert OrgUnit.objects.filter(unit_type="state_platform").count() == 2
    assert OrgUnit.objects.filter(unit_type="enterprise", is_demo=True, name__contains="示例").count() >= 3
    assert Region.objects.get(code="410702").name == "红旗区"
    text = out.getvalue()
    assert "xmb" in text and "auditadmin" in text


def test_every_demo_login_reaches_its_home_page(client, db, settings):
    settings.TUIJIN_DEMO_PASSWORD = "Demo-Pass-2026!"
    call_command("load_demo", stdout=StringIO())
    for username in DEMO_USERS:
        client.logout()
        response = client.post("/accounts/login/", {"username": username, "password": "Demo-Pass-2026!"})
        assert response.status_code == 302, username
        home = client.get("/")
        assert home.status_code == 200, username
        assert "我的单位与角色" in home.content.decode()


def test_random_demo_passwords_satisfy_the_policy(db):
    from django.contrib.auth.password_validation import validate_password

    from tuijin.users.demo import random_password

    user = User.objects.create(username="probe_admin")
    for _ in range(20):
        validate_password(random_password(), user)
