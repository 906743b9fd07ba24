"""Demo front desk: a decoration in progress with a worker pass and the steward's patrols, keys out
(one overdue), convenience items and a legacy issue. Through the real actions."""
from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.desk import actions
from apps.estates.models import Household, OccupancyStatus
from apps.org.models import Company, Project, ProjectKind, User
from linli import clock


def _photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (120, 160), "#8ab").save(buf, "JPEG")
    return SimpleUploadedFile("worker.jpg", buf.getvalue(), "image/jpeg")


def load_demo_desk(company: Company, *, now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    permits = 0
    for project in Project.objects.filter(company=company, kind=ProjectKind.RESIDENTIAL).order_by("pk"):
        code = project.code.lower()
        desk = User.objects.filter(username=f"desk_{code}").first()
        sup = User.objects.filter(username=f"supervisor_{code}").first()
        steward = User.objects.filter(username=f"steward_{code}").first()
        if desk is None or sup is None:
            continue
        today = now.astimezone(project.tz).date()
        hh = (Household.objects.filter(project=project, status=OccupancyStatus.DECORATING).order_by("pk").first()
              or Household.objects.filter(project=project).order_by("pk").first())
        if hh is None:
            continue
        permit = actions.apply_decoration(project=project, household=hh, applicant="业主本人", contractor="美家装饰",
                                          scope="厨卫翻新、木地板铺设", planned_start=today - dt.timedelta(days=10),
                                          planned_end=today + dt.timedelta(days=40), deposit="2000.00",
                                          notice_explained=True, acting_user=desk, now=now - dt.timedelta(days=12))
        actions.approve_decoration(permit=permit, acting_user=sup, now=now - dt.timedelta(days=11))
        actions.issue_worker_pass(permit=permit, number=f"{project.code}-ZX-001", name="装修工人甲", photo=_photo(),
                                  valid_from=today - dt.timedelta(days=10), valid_until=today + dt.timedelta(days=40),
                                  acting_user=desk, now=now - dt.timedelta(days=10))
        if steward is not None:
            actions.record_decoration_check(permit=permit, kind="workers", workers_seen=3, workers_without_pass=1,
                                            finding="一名工人无证，已劝离", acting_user=steward,
                                            now=now - dt.timedelta(days=2))
        permits += 1
        roof = actions.add_key(project=project, label="1栋天台门钥匙", acting_user=desk, now=now)
        actions.lend_key(key=roof, borrower="工程部维修工", purpose="天台防水检查", due_at=now - dt.timedelta(hours=2),
                         acting_user=desk, now=now - dt.timedelta(hours=6))  # overdue now
        pump = actions.add_key(project=project, label="水泵房钥匙", acting_user=desk, now=now)
        actions.lend_key(key=pump, borrower="工程部值班电工", purpose="水泵巡检", due_at=now + dt.timedelta(hours=3),
                         acting_user=desk, now=now)
        item = actions.add_item(project=project, name="雨伞", quantity=10, place="大堂", acting_user=desk, now=now)
        actions.lend_item(item=item, borrower="3栋业主", acting_user=desk, now=now)
        actions.record_log(project=project, kind="legacy", title="地下车库渗水（地产遗留）", detail="已转地产客服中心跟进",
                           happened_on=today, acting_user=desk, now=now)
    return permits
