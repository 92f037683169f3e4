"""Demo feedback box: six anonymous threads of the demo company (suggestions, complaints, a
question and praise), some addressed to departments (技术部, 销售部, 运营部), some to HR, with
replies by HR and by the technology head (the demo "manager"), one answer by a poster through
their follow-up code, one thread hidden by HR with a reason and one private thread.

Threads are posted through relations.services_feedback (no identity is taken), then dated in the
past weeks (the date only, as the service stores it). Runs after employees.demo. Idempotent: a
second call adds nothing. The result holds the follow-up code of the first thread, so the
"follow my thread" page can be tried in the demo."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from employees.models import Department

from .models import FeedbackReply, FeedbackThread
from .services_feedback import (
    feedback_close,
    feedback_hide,
    feedback_post,
    feedback_poster_reply,
    feedback_reply,
)

MARKER = "希望技术部试行每周一天远程办公"

# subject, category, department code (None: HR), public, days ago, body,
# replies: (who, days ago, text) with who in "hr", "head" (the demo manager) and "poster"
THREADS = [
    (
        MARKER,
        "suggestion",
        "HQ-TECH",
        True,
        24,
        "通勤单程一个半小时，很多同事每天路上要花三个小时。技术部的工作大多可以在线完成，"
        "建议试行每周三远程办公，用每日站会和代码评审保证协作。",
        [
            ("head", 22, "感谢建议。下个月起技术部试行每周三远程办公，为期三个月，期间按迭代交付情况评估效果。"),
            ("poster", 21, "谢谢！希望试行期间值班同事也能轮换到远程日。"),
            ("head", 20, "可以，值班表会按周轮换，远程日不安排现场值班。"),
        ],
    ),
    (
        "项目上线前连续两周加班到深夜",
        "complaint",
        "HQ-TECH",
        False,
        12,
        "核心系统升级上线前两周，组里几乎每天加班到十一点，周末也在加班，调休一直没有批下来。"
        "希望以后排期能留出缓冲，加班后能按制度及时调休。",
        [("head", 10, "情况属实，排期考虑不周。本周起补批调休，以后上线计划会预留一周缓冲。")],
    ),
    (
        "感谢人力资源部组织的新员工培训",
        "praise",
        None,
        True,
        30,
        "入职第一周的培训安排得很细致，导师制度也很有帮助，很快就熟悉了业务和系统。",
        [("hr", 29, "谢谢你的肯定！我们会继续完善导师制度，欢迎随时提出建议。")],
    ),
    (
        "销售提成结算周期太长",
        "complaint",
        "HQ-SALES",
        True,
        9,
        "目前提成按季度结算，回款后要等三四个月才能拿到，希望改为按月结算。",
        [("hr", 7, "已收到。HR 正与财务部、销售部评估按月结算提成的方案，下月底前在此回复结论。")],
    ),
    (
        "食堂能否增加素食窗口",
        "question",
        None,
        True,
        3,
        "部门里有几位同事吃素，午餐选择很少，能否增加一个素食窗口或每天固定一两道素菜？",
        [],
    ),
    (
        "运营部某主管经常当众训斥下属",
        "complaint",
        "HQ-OPS",
        True,
        5,
        "（原帖含同事姓名和侮辱性用语，已由 HR 隐藏。）",
        [],
    ),
]
HIDDEN_REASON = "帖子点名道姓并含侮辱性用语，不适合公开展示；HR 已私下跟进所反映的问题。"


@transaction.atomic
def seed(**_options) -> dict:
    if FeedbackThread.objects.filter(subject=MARKER).exists():
        return {"skipped": "feedback demo data exists"}
    User = get_user_model()
    hr = User.objects.filter(username="hr").first()
    head = User.objects.filter(username="manager").first()
    departments = {d.code: d for d in Department.objects.filter(code__in=["HQ-TECH", "HQ-SALES", "HQ-OPS"])}
    if hr is None or head is None or len(departments) < 3:
        return {"skipped": "the demo logins or departments are missing (run employees.demo first)"}
    today = timezone.localdate()
    made: list[FeedbackThread] = []
    first_code = ""
    for subject, category, code, public, days, body, replies in THREADS:
        thread, secret = feedback_post(
            category=category, subject=subject, body=body, department=departments.get(code), is_public=public
        )
        first_code = first_code or secret
        for who, reply_days, text in replies:
            if who == "poster":
                reply = feedback_poster_reply(secret=secret, body=text)
            else:
                reply = feedback_reply(thread=thread, body=text, actor=hr if who == "hr" else head)
            FeedbackReply.objects.filter(pk=reply.pk).update(posted_on=today - timedelta(days=reply_days))
        FeedbackThread.objects.filter(pk=thread.pk).update(posted_on=today - timedelta(days=days))
        made.append(thread)
    by_subject = {t.subject: t for t in made}
    feedback_close(thread=by_subject["感谢人力资源部组织的新员工培训"], actor=hr)
    feedback_hide(thread=by_subject["运营部某主管经常当众训斥下属"], reason=HIDDEN_REASON, actor=hr)
    FeedbackThread.objects.filter(hidden=True, pk=by_subject["运营部某主管经常当众训斥下属"].pk).update(
        hidden_on=today - timedelta(days=4)
    )
    # the older threads were in earlier digests; the newest waits for the next hourly one
    FeedbackThread.objects.filter(pk__in=[t.pk for t in made]).exclude(subject="食堂能否增加素食窗口").update(
        notified=True
    )
    return {"threads": len(made), "follow_code": first_code}
