"""The job pages: a job's page, its progress fragment (polled by htmx) and its cancel button."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.models import User
from pht.apps.jobs.access import visible_jobs
from pht.apps.jobs.actions import cancel_job
from pht.apps.jobs.models import Job


def _job(request: HttpRequest, job_id: int) -> Job:
    assert isinstance(request.user, User)
    job = visible_jobs(request.user).select_related("created_by").filter(pk=job_id).first()
    if job is None:
        raise Http404("no such job")
    return job


@login_required
@require_GET
def detail(request: HttpRequest, job_id: int) -> HttpResponse:
    return render(request, "jobs/job.html", {"job": _job(request, job_id)})


@login_required
@require_GET
def progress(request: HttpRequest, job_id: int) -> HttpResponse:
    # ``reload=1``: the page asked to be reloaded when the job is done (``data-reload-when-done``)
    context = {"job": _job(request, job_id), "reload_when_done": request.GET.get("reload") == "1"}
    return render(request, "jobs/_progress.html", context)


@login_required
@require_POST
def cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    assert isinstance(request.user, User)
    try:
        job = cancel_job(request.user, job)
    except ActionRefused as refused:
        if request.headers.get("HX-Request"):
            return render(
                request, "jobs/_progress.html", {"job": job, "refusal": refused.display()}, status=403
            )
        show_refusal(request, refused)
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_progress.html", {"job": job})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("jobs:detail", job.pk)
