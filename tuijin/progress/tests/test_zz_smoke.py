import time
from tuijin.progress import notice
from .test_selectors import Portfolio

def test_smoke(world):
    Portfolio(world)
    data = notice.build_notice(world.office, 2026, 9)
    for fmt in ("docx", "pdf", "xlsx"):
        t = time.time()
        content = notice.notice_render(data, fmt)
        open(f"/tmp/tj_perf/smoke.{fmt}", "wb").write(content)
        print(fmt, len(content), time.time() - t)
