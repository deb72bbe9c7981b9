"""`reportkit build`: validate, check, run the six section notebooks, assemble, guard, then publish.

Read as a flat sequence of steps: resolve params -> look up the cache -> warm kernels -> load and
compute -> check -> run the sections whose inputs changed (papermill, concurrently, each in a
fresh kernel) -> assemble report.html -> write tables.json and checks.json -> privacy guard ->
swap the staging folder in. Until the swap, the last good outputs stay untouched; a killed build
leaves them as they were.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportkit.contract import handover, paths, trace, vocab
from reportkit.contract.errors import ChecksFailed, ReportkitError, SectionFailed, UsageError
from reportkit.ingest import snapshot
from reportkit.ingest.privacy import guard as privacy_guard
from reportkit.ingest.privacy import remove_leaking
from reportkit.pipeline import cache, outfolder
from reportkit.pipeline.executors import Executor, make_executor
from reportkit.pipeline.outfolder import publish, recover  # the builder's publishing steps, by name

if TYPE_CHECKING:
    from reportkit.ingest.params import Params
    from reportkit.pipeline.kernels import KernelPool

# The build's progress lines (in Chinese). `reportkit build` prints them; a library caller sees
# them only when it configures logging.
logger = logging.getLogger("reportkit.build")


def skip_slow_imports() -> None:
    """nbformat imports jsonschema, which compiles a Lark grammar for IRIs at import when the
    optional rfc3987-syntax 1.1 is installed (JupyterLab's jupyter-events pulls it in): about
    1.2 s of every build, for a format notebooks never use. See python-jsonschema/jsonschema#1392
    and #1521. Marking the module absent makes jsonschema skip that one format checker; only the
    build's own process is affected."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class BuildTarget:
    """What to build: one report year of one agency (`agency`: its id in agencies.yaml, None for
    a project of one agency). `params` defaults to params/<year>.yaml, `out` to outputs/<year>/."""

    year: int | None = None
    params: str | Path | None = None
    out: str | Path | None = None
    agency: str | None = None

    @property
    def key(self) -> str | None:
        """Its name among the builds of one executor (None: unknown until the params are read)."""
        return None if self.year is None else _key(self.agency, self.year)


def _key(agency: str | None, year: int) -> str:
    return f"{agency}/{year}" if agency else str(year)


@dataclass
class BuildOptions:
    """How to build. `executor`: runs the sections (shared by the builds of a batch); None: the
    build makes its own when it has sections to run, and stops it after. `level` and `prefix`:
    of its progress lines on the "reportkit.build" logger (a batch logs them at DEBUG)."""

    jobs: int | None = None
    use_cache: bool = True
    executor: Executor | None = None
    level: int = logging.INFO
    prefix: str = ""

    def say(self, msg: str) -> None:
        logger.log(self.level, "\n".join(self.prefix + line for line in msg.splitlines()))


@dataclass
class BuildResult:
    year: int | None
    out: Path | None
    ok: bool
    seconds: float
    error: str | None = None
    ran: tuple[str, ...] = ()  # section slugs executed (the others came from the cache)
    exit_code: int = 0  # of a failed build: 2 when it was refused before starting, else 1


def section_notebooks(root: Path | None = None) -> list[tuple[dict[str, str], Path]]:
    """The six section notebooks in report order: notebooks/NN_<slug>.ipynb."""
    folder = paths.notebooks_dir(root)
    found = []
    for s in vocab.SECTIONS:
        path = folder / f"{int(s['index']):02d}_{s['slug']}.ipynb"
        if not path.is_file():
            raise ReportkitError(f"缺少章节笔记本：{path}")
        found.append((s, path))
    return found


def run_sections(ctx: _Build) -> tuple[dict[str, dict], dict[str, list]]:
    """The sections to run, handed to the executor (see Executor.run_sections)."""
    return ctx.executor.run_sections(
        ctx.todo,
        ctx.parameters,
        ctx.staging,
        ctx.out,
        ctx.root,
        ctx.pool,
        ctx.say,
        len(ctx.sections),
    )


# The build's log lists at most this many findings of each rule; checks.json and `reportkit check`
# have them all.
LISTED_PER_RULE = 20


def _listed(findings: list, params_file: Path) -> str:
    """Findings for the build's log, LISTED_PER_RULE of each rule, and where to see them all when
    some were left out."""
    from collections import Counter

    from reportkit.contract.findings import format_findings

    text = format_findings(findings, per_rule=LISTED_PER_RULE)
    if max(Counter(f.rule for f in findings).values()) > LISTED_PER_RULE:
        text += f"\n全部问题可运行 reportkit check --params {params_file} 查看"
    return text


def _warm_up() -> None:
    """Import papermill while the kernels start: the first sections then start at once."""
    import papermill  # noqa: F401


# ------------------------------------------------------------------------------------------------
# The build
# ------------------------------------------------------------------------------------------------
def _plan(
    sections: list[tuple[dict[str, str], Path]],
    parameters: dict[str, Any],
    params_file: Path,
    out: Path,
    use_cache: bool,
    inputs: cache.Inputs,
) -> tuple[
    dict[str, Any], list[tuple[dict[str, str], Path]], dict[str, str], dict[str, bytes | None]
]:
    """The previous cache, the sections to run, the key of each section still valid, and the
    bytes of its executed notebook, checked against the digest the cache recorded (None: it did
    not match, so the section runs again)."""
    previous = cache.load(out) if use_cache else {}
    valid: dict[str, str] = {}
    kept: dict[str, bytes | None] = {}
    for s, nb in sections:
        entry = previous.get("sections", {}).get(s["slug"])
        if not entry:
            continue
        if cache.section_key(nb, parameters, params_file, entry["read"], inputs) != entry["key"]:
            continue
        try:
            executed = (out / "notebooks" / nb.name).read_bytes()
        except OSError:
            continue
        if cache.digest_bytes(executed) != entry["notebook"]:
            kept[s["slug"]] = None  # edited, truncated or cleared since written: never trusted
            continue
        valid[s["slug"]], kept[s["slug"]] = entry["key"], executed
    todo = [(s, nb) for s, nb in sections if s["slug"] not in valid]
    return previous, todo, valid, kept


def _share_aggregate(pool: Any, report: Any) -> None:
    """Hand an aggregate's sections the aggregate this build made (compute.aggregate.share),
    when its executor can pass a file on to them."""
    handed = handover.of_pool(pool)
    if report.aggregate is None or handed is None:
        return
    from reportkit.compute import aggregate

    aggregate.share(*handed, report.params, report.aggregate)


def _build_key(
    params_file: Path, p: Params, root: Path, section_keys: dict[str, str], inputs: cache.Inputs
) -> str:
    """Everything a finished build depended on, beyond its sections: params, ledgers and every
    name in their folder, last year."""
    parts = [
        inputs.file_digest(params_file),
        inputs.ledger_digest(p.data_path, cache.ALL),
        inputs.listing(p.data_path),
        *(inputs.file_digest(f) for f in paths.previous_tables_files(p, root)),
        cache.code_version(),
        json.dumps(section_keys, sort_keys=True),
    ]
    return cache.digest_bytes("\n".join(parts).encode())


# The outputs whose digests the cache records: an unchanged build returns them only when intact.
_RECORDED_OUTPUTS = ("report.html", "tables.json", "checks.json")


def build(
    target: BuildTarget | int | None = None,
    options: BuildOptions | None = None,
    *,
    year: int | None = None,
    params: str | Path | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
) -> BuildResult:
    """Build one report year: `build(BuildTarget(...), BuildOptions(...))`, or as before
    `build(year=…, params=…, out=…, jobs=…, use_cache=…)`. Raises ReportkitError (Chinese
    message) on any failure. Its progress goes to the "reportkit.build" logger."""
    if not isinstance(target, BuildTarget):
        target = BuildTarget(target if target is not None else year, params, out)
    options = options or BuildOptions(jobs=jobs, use_cache=use_cache)
    # The build's copy of the ledgers (reportkit/snapshot.py): private, removed however it ends.
    snap_dir = snapshot.new_folder()
    try:
        return _build(target, options, snap_dir)
    finally:
        shutil.rmtree(snap_dir, ignore_errors=True)


@dataclass
class _Build:
    """One build in progress: what every step after the cache look-up reads."""

    target: BuildTarget
    options: BuildOptions
    p: Params
    params_file: Path
    root: Path
    out: Path
    started: float
    jobs: int
    sections: list[tuple[dict[str, str], Path]]
    parameters: dict[str, Any]
    snap_dir: Path
    executor: Executor | None = None
    inputs: cache.Inputs | None = None
    previous: dict[str, Any] = dataclasses.field(default_factory=dict)  # the last build's cache
    todo: list[tuple[dict[str, str], Path]] = dataclasses.field(default_factory=list)
    valid: dict[str, str] = dataclasses.field(default_factory=dict)
    kept: dict[str, bytes | None] = dataclasses.field(default_factory=dict)
    staging: Path | None = None
    pool: KernelPool | None = None

    def say(self, msg: str) -> None:
        self.options.say(msg)


def _build(target: BuildTarget, options: BuildOptions, snap_dir: Path) -> BuildResult:
    from reportkit.ingest.params import load_params

    skip_slow_imports()
    started = time.monotonic()
    root = paths.project_root()
    year, params = target.year, target.params
    params_file = Path(params).resolve() if params else paths.params_file(year, root)

    from reportkit.pipeline.kernels import remove_stale_temp_files

    remove_stale_temp_files()  # of builds killed earlier

    # 1. params first: they say which year, which ledgers and where the outputs go. A folder that
    # is not a reportkit build's, or no ledgers at all, stops the build before anything is written.
    p = load_params(params_file, year=year) if params else load_params(year=year)
    year, params_file = p.year, p.source
    out = Path(target.out or paths.default_out_dir(year, root)).resolve()
    outfolder.check_out(out, p.data_path)
    _require_ledgers(p.data_path, params_file)
    jobs = max(1, options.jobs or os.cpu_count() or 1)
    ctx = _Build(
        target,
        options,
        p,
        params_file,
        root,
        out,
        started,
        jobs,
        section_notebooks(root),
        {"year": year, "params": str(params_file)},
        snap_dir,
    )
    try:
        with outfolder.locked(out):
            return _build_locked(ctx)
    except OSError as e:
        problem = outfolder.disk_error(e, out)
        if problem is None:
            raise
        raise problem from e


def _require_ledgers(data_dir: Path, params_file: Path, found: bool | None = None) -> None:
    """A data folder with no ledger at all would make an all-zero report: most likely a wrong
    data_dir, so it is an error rather than a year with nothing in it. `found`: whether reading
    the folder found any ledger (None: not read yet, only the folder is looked for)."""
    if data_dir.is_dir() and found is not False:
        return
    state = "不存在" if not data_dir.is_dir() else "中没有任何台账文件"
    names = "、".join(f"{stem}.csv" for stem in cache.STEMS)
    raise UsageError(
        f"台账文件夹 {data_dir}{state}，未生成报告。台账文件应命名为 {names}（或同名 .xlsx）；"
        f"请检查参数文件 {params_file} 中的 data_dir"
    )


def _build_locked(ctx: _Build) -> BuildResult:
    """The build proper, with the output folder locked."""
    p, params_file, root, out = ctx.p, ctx.params_file, ctx.root, ctx.out
    title = vocab.REPORT_TITLE.format(agency=p.agency, year=p.year)

    # 2. the cache: nothing changed -> the outputs already there are this build's outputs. The
    # ledgers are read once, into the build's snapshot, and every input the keys cover is read
    # now, before anything runs: the keys describe what the sections see.
    recover(out)
    outfolder.check_out(out)  # recover() may have put the previous outputs back
    snap = snapshot.Snapshot.take(p.data_path, ctx.snap_dir)
    inputs = ctx.inputs = cache.Inputs(snap)
    last_year = params_file.parent / f"{p.year - 1}.yaml"
    for path in (params_file, last_year, *paths.previous_tables_files(p, root)):
        inputs.read(path)
    for _s, nb in ctx.sections:
        inputs.read(nb)
    ctx.previous, ctx.todo, ctx.valid, ctx.kept = _plan(
        ctx.sections, ctx.parameters, params_file, out, ctx.options.use_cache, inputs
    )
    if not ctx.todo and ctx.previous.get("build") == _build_key(
        params_file, p, root, ctx.valid, inputs
    ):
        changed = cache.changed_outputs(out, ctx.previous.get("outputs", {}))
        if not changed:
            secs = time.monotonic() - ctx.started
            ctx.say(f"reportkit：{title}\n  台账、参数和笔记本均无变化，沿用上次结果")
            ctx.say(f"完成：{out / 'report.html'}（用时 {secs:.1f} 秒）")
            return BuildResult(p.year, out, True, secs)
        ctx.say(f"上次生成的 {'、'.join(changed)} 与缓存记录不符，重新生成")

    # 3. kernels warm up while the ledgers are read and checked.
    from reportkit.pipeline.kernels import TRACE_PREFIX

    ctx.staging = staging = outfolder.staging_dir(out, str(threading.get_ident()))
    shutil.rmtree(staging, ignore_errors=True)
    outfolder.mark(staging, p.year)  # first, so that a killed build's leftovers are known as ours
    (staging / "notebooks").mkdir()
    traces = Path(tempfile.mkdtemp(prefix=f"{TRACE_PREFIX}{os.getpid()}-"))
    kernel_env = {snapshot.ENV: str(snap.folder)} if snap else {}
    given = ctx.options.executor
    with contextlib.nullcontext(given) if given else make_executor(ctx.jobs) as executor:
        ctx.executor = executor
        ctx.pool = executor.kernels(root, traces, len(ctx.todo), ctx.jobs, kernel_env)
        try:
            with snapshot.active(snap):
                result = _build_in(ctx)
        finally:
            ctx.pool.close()
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(traces, ignore_errors=True)
    result.seconds = time.monotonic() - ctx.started
    ctx.say(f"完成：{out / 'report.html'}（用时 {result.seconds:.1f} 秒）")
    return result


def _build_in(ctx: _Build) -> BuildResult:
    from reportkit.compute.report import open_report
    from reportkit.contract.findings import write_json
    from reportkit.pipeline.checking import check_year, share_findings
    from reportkit.present import render
    from reportkit.present.content import blocks_of, document, section_html
    from reportkit.present.docx import write_docx
    from reportkit.present.fragment import render_fragment
    from reportkit.present.xlsx import write_tables_xlsx

    staging, out, params_file, sections = ctx.staging, ctx.out, ctx.params_file, ctx.sections
    # 4. params, ledgers, figures, narrative: every input error surfaces before any section runs.
    # What the checks read is recorded, so that the section that shows them (01's check cell)
    # can take these findings with their inputs instead of checking everything again.
    with trace.recording() as reads:
        report = open_report(params=params_file)
        year = report.year
        _require_ledgers(
            report.params.data_path, params_file, found=any(report.ledgers.files.values())
        )
        ctx.say(f"reportkit：{report.title}")
        for note in report.ledgers.notes:
            ctx.say(f"  提示：{note}")
        # Every template rendered now, so that an unknown placeholder stops the build here.
        _ = report.texts
        tables = report.tables_json

        if ctx.todo:
            threading.Thread(target=_warm_up, daemon=True).start()

        # 5. consistency checks: an error stops the build before anything is replaced. They
        # compare with last year's tables: when last year is being built alongside, its outcome.
        ctx.executor.wait_for(_key(ctx.target.agency, year - 1))
        today = dt.date.today()
        findings = check_year(report, today, ctx.root)
    share_findings(ctx.pool, report, findings, reads, today)
    _share_aggregate(ctx.pool, report)
    for note in findings.notes:
        ctx.say(f"  提示：{note}")
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    if warnings:
        ctx.say(f"  检查：{len(warnings)} 条警告")
        for line in _listed(warnings, params_file).splitlines():
            ctx.say(f"    {line}")
    if errors:
        raise ChecksFailed(
            f"勾稽关系检查发现 {len(errors)} 处错误，未生成报告：\n{_listed(errors, params_file)}"
        )

    # tables.xlsx needs only the tables: written while the sections run (the build waits on them).
    xlsx = ThreadPoolExecutor(max_workers=1)
    xlsx_written = xlsx.submit(
        write_tables_xlsx,
        tables,
        staging / "tables.xlsx",
        sample=bool(report.params.sample),
        dated=report.params.date or dt.date.today(),
    )
    xlsx.shutdown(wait=False)

    # 6. sections: reuse what is still valid, run the rest.
    for i, (s, nb) in enumerate(sections, start=1):
        if s["slug"] in ctx.valid:
            # The very bytes whose digest was checked: a file changed since is not picked up.
            (staging / "notebooks" / nb.name).write_bytes(ctx.kept[s["slug"]])
            ctx.say(f"  [{i}/{len(sections)}] {s['heading']} … 无变化，沿用上次结果")
        elif s["slug"] in ctx.kept:
            stale = f"缓存的 notebooks/{nb.name} 与记录不符，重新运行"
            ctx.say(f"  [{i}/{len(sections)}] {s['heading']} … {stale}")
    try:
        recorded, bodies = run_sections(ctx)
    except SectionFailed as e:
        # out/failed/ is written outside the staging folder: it gets the same guard.
        removed = remove_leaking(out / "failed", report.ledgers.personal, report.params)
        if e.notebook and Path(e.notebook) in removed:
            why = "其中含申请人个人信息，已被隐私检查删除"
            raise SectionFailed(e.section, e.error, None, why) from None
        raise
    entries = {
        s["slug"]: ctx.previous["sections"][s["slug"]]
        if s["slug"] in ctx.valid
        else {
            "key": cache.section_key(
                nb, ctx.parameters, params_file, recorded[s["slug"]], ctx.inputs
            ),
            "read": recorded[s["slug"]],
            "notebook": cache.digest_file(staging / "notebooks" / nb.name),
        }
        for s, nb in sections
    }

    # 7. assemble and write.
    for s, nb in sections:
        if s["slug"] not in bodies:  # reused from the last build
            bodies[s["slug"]] = blocks_of(staging / "notebooks" / nb.name)
    # Every output is rendered from the same blocks and carries one date: the params' report date
    # (成文日期) when given, else the day of the build.
    dated = report.params.date or dt.date.today()
    page = render.render_report(
        report, {slug: section_html(b) for slug, b in bodies.items()}, dated
    )
    (staging / "report.html").write_text(page, encoding="utf-8")
    doc = document(report, bodies, dated.isoformat())
    write_docx(doc, staging / "report.docx")
    (staging / "report-fragment.html").write_text(render_fragment(doc), encoding="utf-8")
    xlsx_written.result()
    (staging / "tables.json").write_text(
        json.dumps(tables, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    write_json(findings, staging / "checks.json")

    # 8. privacy guard over everything written.
    privacy_guard(staging, report.ledgers.personal, report.params)

    # 9. publish: the cache goes with the outputs it describes.
    section_keys = {slug: e["key"] for slug, e in entries.items()}
    cache.save(
        staging,
        {
            "sections": entries,
            "build": _build_key(params_file, report.params, ctx.root, section_keys, ctx.inputs),
            "outputs": {name: cache.digest_file(staging / name) for name in _RECORDED_OUTPUTS},
        },
    )
    publish(staging, out)
    shutil.rmtree(out / "failed", ignore_errors=True)
    return BuildResult(year, out, True, 0.0, ran=tuple(s["slug"] for s, _ in ctx.todo))


def build_many(
    targets: list[BuildTarget | int | None],
    options: BuildOptions | None = None,
    *,
    params: str | Path | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
) -> list[BuildResult]:
    """Build each target (or year), concurrently within the machine's cores; a failure is
    logged in Chinese and the other years still build. All share one executor: `options`' if
    given, else one made here (its zygote starts at once, while this process reads the ledgers)."""
    options = options or BuildOptions(jobs=jobs, use_cache=use_cache)
    targets = [t if isinstance(t, BuildTarget) else BuildTarget(t, params, out) for t in targets]
    given = options.executor
    with contextlib.nullcontext(given) if given else make_executor(options.jobs) as executor:
        return _build_years(targets, dataclasses.replace(options, executor=executor))


def _build_years(targets: list[BuildTarget], options: BuildOptions) -> list[BuildResult]:
    executor = options.executor
    # A year's checks compare it with the year before (上年结转 = 上年结转下年度): when both are in
    # this batch, that one is awaited, so the result is that of building them one after the other.
    executor.expect(t.key for t in targets if t.key)

    def one(t: BuildTarget) -> BuildResult:
        prefix = f"[{t.year}] " if len(targets) > 1 else ""
        t0 = time.monotonic()
        try:
            return build(t, dataclasses.replace(options, jobs=executor.jobs, prefix=prefix))
        except ReportkitError as e:
            logger.error("\n".join(prefix + line for line in f"错误：{e}".splitlines()))
            code = getattr(e, "exit_code", 1)
            return BuildResult(t.year, None, False, time.monotonic() - t0, str(e), exit_code=code)
        finally:
            executor.finished(t.key)

    if len(targets) == 1:
        return [one(targets[0])]
    # Earlier years first: a worker never waits for a year that no worker has started.
    order = sorted(
        range(len(targets)), key=lambda i: (targets[i].year is None, targets[i].year or 0)
    )
    with ThreadPoolExecutor(max_workers=min(len(targets), executor.jobs)) as workers:
        done = dict(zip(order, workers.map(one, [targets[i] for i in order])))
    return [done[i] for i in range(len(targets))]
