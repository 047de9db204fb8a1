"""Issue 19 item 2: one C0 control character (a vertical tab, U+000B) typed into a project's 建设规模及内容 through the
API or a form made /projects/export.xlsx (and export_projects) fail for everyone in that scope, and the same with
tickets. Control characters are now dropped from every form field and JSON body, from imported cells, and again on
every export, so rows stored before the fix still export."""

import io
import json

import openpyxl
import pytest
from django.test import RequestFactory
from django.urls import reverse

from tuijin.core.middleware import ControlCharacterMiddleware
from tuijin.projects.models import Project
from tuijin.projects.tests.factories import make_project
from tuijin.tickets.models import Ticket
from tuijin.tickets.tests.factories import make_ticket
from tuijin.utilities.excel import neutralize, unneutralize
from tuijin.utilities.text import strip_control

VT = "\u000b"


def test_strip_keeps_tab_newline_and_chinese():
    assert strip_control(f"一{VT}二\x00三\x1f四\x7f") == "一二三四"
    assert strip_control("行一\n行二\t列\r") == "行一\n行二\t列\r"
    assert neutralize(f"{VT}=1+1") == "'=1+1" and unneutralize(f"'=1{VT}") == "=1"


def _echo(request):
    from django.http import JsonResponse

    return JsonResponse({"post": request.POST.dict(), "body": request.body.decode() if not request.POST else ""})


def _body(response) -> str:
    return json.loads(response.content)["body"]


def test_middleware_cleans_form_posts_and_json_bodies_and_leaves_the_rest_alone():
    middleware, factory = ControlCharacterMiddleware(_echo), RequestFactory()
    form = middleware(factory.post("/x/", {"name": f"项目{VT}名称", "plain": "正常"}))
    assert b"\\u000b" not in form.content and "项目名称" in form.content.decode("unicode_escape")
    body = '{"scale_content": "规模' + "\\u000b" + '内容", "list": ["a\\u0001b"]}'
    cleaned = middleware(factory.post("/x/", body, content_type="application/json"))
    echoed = json.loads(cleaned.content)["body"]
    assert "\\u000b" not in echoed and "规模内容" in echoed and "ab" in echoed
    untouched = '{"a": "b",   "n": 1}'  # nothing to drop: byte for byte as it came
    assert _body(middleware(factory.post("/x/", untouched, content_type="application/json"))) == untouched
    broken = '{"a": '  # not JSON: left for the API to refuse
    assert _body(middleware(factory.post("/x/", broken, content_type="application/json"))) == broken


@pytest.fixture
def project(world):
    return make_project(unit=world.unit_a, actor=world.office, name="控制字符测试项目")


def test_api_patch_stores_no_control_character(client, world, project):
    client.force_login(world.reporter_a)
    url = f"/api/projects/projects/{project.pk}/"
    etag = client.get(url)["ETag"]
    response = client.patch(
        url, {"scale_content": f"厂房{VT}两栋"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=project.pk).scale_content == "厂房两栋"


def test_exports_survive_rows_stored_before_the_fix(client, world, project):
    Project.objects.filter(pk=project.pk).update(scale_content=f"厂房{VT}两栋", name=f"控制字符{VT}测试项目")
    ticket = make_ticket(actor=world.reporter_a, project=project, title="控制字符工单")
    Ticket.objects.filter(pk=ticket.pk).update(description=f"问题{VT}描述")
    client.force_login(world.office)
    response = client.get(reverse("projects:project_export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    values = [c for row in book.active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "控制字符测试项目" in values
    response = client.get(reverse("tickets:ticket_export"))
    assert response.status_code == 200
