"""Certificate and report rendering (warm), and a batch of certificates, against a minimal typst
document compiled with the same fonts (the floor any PDF pays).

Targets (issue 11): a certificate warm in at most 0.05 s including its QR code, a report warm in at most 0.3 s. A
report's charts are kept by content (``reports.charts``): ``report_warm`` renders the same assessment again (charts
from the cache), ``report_warm_new_charts`` empties the cache first (what a changed assessment costs). Wall times
on a shared machine swing; the CPU times (this process, all threads) are what a render costs on a quiet one."""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

CERT_TARGET = 0.05  # seconds, warm, including the QR code
REPORT_TARGET = 0.3  # seconds, warm


def _median_time(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _median_cpu(fn, n: int) -> float:
    """CPU time of this process (all threads): what a call costs when the machine is not shared."""
    times = []
    for _ in range(n):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def run(n_batch: int | None = None) -> dict:
    import typst

    from assessment.config import Settings
    from assessment.editions import load_maturity_cached
    from assessment.services import demo
    from assessment.store import repository as repo
    from assessment.store.db import make_engine, session_factory, upgrade
    from reports import charts, render, service
    from reports.batch import run_batch
    from reports.fonts import font_paths

    n_batch = n_batch or int(os.environ.get("BENCH_CERTS", 1000))
    tmp = Path(tempfile.mkdtemp(prefix="sfa-bench-rep-"))
    settings = Settings(data_dir=tmp / "data")
    engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
    upgrade(engine)
    Session = session_factory(engine)
    with Session.begin() as s:
        ids = demo.load_demo(s)

    # baseline: a one-line Chinese document with the same fonts, warm compiler
    (tmp / "min.typ").write_text('#set text(font: "Noto Sans SC")\n中文 #sys.inputs.n', encoding="utf-8")
    dirs = sorted({str(p.parent) for p in font_paths().values()})
    comp = typst.Compiler(input=str(tmp / "min.typ"), root=str(tmp), font_paths=dirs, ignore_system_fonts=True)
    counter = iter(range(10**9))
    comp.compile(format="pdf", sys_inputs={"n": "0"})
    base = _median_time(lambda: comp.compile(format="pdf", sys_inputs={"n": f"证书{next(counter)}"}), 20)
    base_cpu = _median_cpu(lambda: comp.compile(format="pdf", sys_inputs={"n": f"证书{next(counter)}"}), 20)

    with Session.begin() as s:
        cert = service.issue_certificate(ids[2], session=s, settings=settings)
        service.render_certificate(cert, settings)  # warm
        cert_t = _median_time(lambda: service.render_certificate(cert, settings), 10)
        cert_cpu = _median_cpu(lambda: service.render_certificate(cert, settings), 10)
        pdf = service.render_certificate(cert, settings)
        qr_t = _median_time(lambda: render.qr_svg(cert.payload), 20)
        # verification reads the QR code back from the rendered page, re-renders the page and compares
        verify_t = _median_time(lambda: service.verify(pdf, settings=settings, session=s), 10)

        def report():
            return service.render_report(ids[2], session=s, root=settings.criteria_dir)

        def report_new_charts():
            charts.clear_cache()
            return report()

        report()
        report_t = _median_time(report, 7)
        report_cpu = _median_cpu(report, 7)
        report_new_t = _median_time(report_new_charts, 3)
        report_new_cpu = _median_cpu(report_new_charts, 3)

    # the batch: n factories with complete, varied answers
    ed = load_maturity_cached("maturity/2020")
    reqs = ed.applicable_requirements("discrete")
    rng = random.Random(7)
    t0 = time.perf_counter()
    aids = []
    with Session.begin() as s:
        ent = repo.create_enterprise(
            session=s, name="批量测试企业", compliance=demo.COMPLIANCE, above_scale=True, legal_person=True
        )
        for i in range(n_batch):
            fac = repo.create_factory(ent.id, f"工厂{i:04d}", "discrete", session=s)
            a = repo.create_assessment(fac.id, session=s)
            cap = rng.uniform(0.3, 1.0)
            repo.save_answers(
                a.id,
                {r.id: {"grade": "full" if rng.random() < cap - 0.1 * (r.level - 1) else "partial"} for r in reqs},
                session=s,
                expected_version=a.version,
            )
            aids.append(a.id)
    seed_t = time.perf_counter() - t0
    stats = run_batch(tmp / "out", Session=Session, settings=settings, assessment_ids=aids, progress=None)
    resume = run_batch(tmp / "out", Session=Session, settings=settings, assessment_ids=aids, progress=None)
    return {
        "baseline_minimal_pdf_seconds": round(base, 4),
        "certificate_warm_seconds": round(cert_t, 4),
        "certificate_ratio": round(cert_t / base, 1),
        "certificate_warm_cpu_seconds": round(cert_cpu, 4),
        "baseline_minimal_pdf_cpu_seconds": round(base_cpu, 4),
        "certificate_target_seconds": CERT_TARGET,
        "certificate_within_target": cert_t <= CERT_TARGET,
        "certificate_cpu_ratio": round(cert_cpu / base_cpu, 1),
        "qr_svg_seconds": round(qr_t, 4),
        "certificate_verify_warm_seconds": round(verify_t, 4),
        "report_warm_seconds": round(report_t, 3),
        "report_ratio": round(report_t / base, 1),
        "report_warm_cpu_seconds": round(report_cpu, 3),
        "report_cpu_ratio": round(report_cpu / base_cpu, 1),
        "report_target_seconds": REPORT_TARGET,
        "report_within_target": report_t <= REPORT_TARGET,
        "report_warm_new_charts_seconds": round(report_new_t, 3),
        "report_warm_new_charts_cpu_seconds": round(report_new_cpu, 3),
        "report_new_charts_ratio": round(report_new_t / base, 1),
        "batch_certificates": n_batch,
        "batch_seconds": round(stats.seconds, 1),
        "batch_failed": len(stats.failed),
        "batch_per_certificate_seconds": round(stats.seconds / n_batch, 4),
        "batch_resume_seconds": round(resume.seconds, 1),
        "batch_resume_skipped": resume.skipped,
        "seed_seconds": round(seed_t, 1),
    }
