"""Command line: python -m core demo | import | flags | indicators | complaints | notice | settings | users | grants.

Exit codes: 0 done, 1 invalid input (every problem printed), 2 misuse.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from pathlib import Path

import sqlalchemy as sa

from core import demo
from core.access import accounts, admin, audit, notices, roles, scope, settings_change
from core.cli import report
from core.policy import regions
from core.ingest import importer, uploads, validate
from core.read import docking, tables
from core.refresh import marts
from core.store.view import View
from core.store import db, grants
from core.store.opening import open_store


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def cmd_demo(args) -> int:
    store = open_store(args.db)
    try:
        counts = demo.load(store, scale=args.scale, seed=args.seed, replace=args.replace, progress=_progress,
                           alone=True)
    except demo.StoreNotEmpty as err:
        print(err, file=sys.stderr)
        return 2
    for name, n in counts.items():
        print(f"{name}\t{n}")
    return 0


def cmd_import(args) -> int:
    paths = [Path(p) for p in args.files]
    for p in paths:
        if not p.exists():
            print(f"文件不存在 / no such file: {p}", file=sys.stderr)
            return 2
    store = open_store(args.db)
    user = roles.system_user(store)
    limits = validate.Limits.of(store)
    names, digest = ", ".join(p.name for p in paths), uploads.sha256(paths, limits.max_bytes + 1)
    if store.holds_demo() and not args.clear_demo and not args.dry_run:
        refusal = importer.DemoInTheWay()
        print(refusal, file=sys.stderr)
        uploads.record(store, user, names, digest, {}, "rejected", 0, reason=str(refusal))
        return 2
    try:
        extract, counts = importer.import_files(store, paths, actor=user, dry_run=args.dry_run, progress=_progress,
                                                limits=limits, clear_demo=args.clear_demo, upload=(names, digest))
    except importer.InvalidExtract as err:
        extract, counts = importer.Extract(problems=err.problems), {}
    except importer.RefreshFailed as err:
        print(err, file=sys.stderr)
        return 1
    if not extract.ok:
        for problem in extract.problems:
            print(problem, file=sys.stderr)
        print(f"共 {len(extract.problems)} 个错误，未写入任何数据 / {len(extract.problems)} errors, nothing written",
              file=sys.stderr)
        if not uploads.record_refusal(store, user, names, digest, extract.problems):
            print("数据库仍忙，本次拒收未能记入上传记录（已写入服务器日志） / the store is still busy: this refusal is in the "
                  "server log, not in the upload history", file=sys.stderr)
        return 1
    rows = {name: len(f) for name, f in extract.frames.items()}
    if args.dry_run:
        fresh = store.holds_demo() and args.clear_demo
        if store.holds_demo():
            print("注意：数据库中是演示数据，正式导入须加 --clear-demo（演示数据将被清除） / note: the store holds the demo; "
                  "the import needs --clear-demo (the demo is cleared)", file=sys.stderr)
        diff = uploads.dry_run(store, extract.frames, fresh=fresh)
        print("sheet\tinsert\treplace\tunchanged\t(将新增/替换/不变 would insert/replace/leave)")
        for r in diff.itertuples(index=False):
            print(f"{r.sheet}\t{r.insert}\t{r.replace}\t{r.unchanged}")
        uploads.record(store, user, names, digest, rows, "dry_run", 0)
        return 0
    for name, n in counts.items():  # recorded in the upload history with the rows, in their transaction
        print(f"{name}\t{n}\t已写入 / written")
    return 0


def _viewer(store, args):
    """With --user, the signed-in account's view (its scope bounds what is printed); without, None:
    the operator at the server sees the whole province."""
    if not args.user:
        return None
    user = _account(store, args.user)
    resolved = scope.resolve(store, user, {"asof": args.as_of.isoformat() if args.as_of else None,
                                           "cat": args.category or ""})
    for zh, en in resolved.notes:
        print(f"{zh} / {en}", file=sys.stderr)
    return resolved.view


def _signed(run):
    """Run a query command; a refused sign-in or permission exits with 3."""
    def wrapped(args) -> int:
        try:
            return run(args)
        except (accounts.LoginFailed, roles.AccessDenied) as err:
            print(err, file=sys.stderr)
            return 3
    return wrapped


def _exported(store, viewer, what: str, frame, args) -> None:
    """Rows of the store printed for someone: refused to a role that may not export, audited as an export (the
    signed-in account's, or the operator's at the server), then printed."""
    who = viewer.user if viewer is not None and viewer.user is not None else roles.system_user(store)
    roles.require(who, "export")
    audit.record(store, who, "export", target=f"命令行 {what}"[:200], detail=f"{len(frame)} rows, {args.format}")
    report.emit(frame, args.format, sys.stdout)


@_signed
def cmd_flags(args) -> int:
    store = open_store(args.db)
    viewer = _viewer(store, args)
    frame = tables.flags(store, as_of=args.as_of, category=args.category or "")
    if viewer is not None and viewer.entity is not None:  # an enterprise's or institution's own account
        frame = docking.visible_flags(viewer, frame)
    elif viewer is not None:
        frame = viewer.restrict(frame, "subject_code", frame["level"])
        frame = viewer.complaint_flags_raised_inside(frame)
    _exported(store, viewer, "flags", frame, args)
    return 0


@_signed
def cmd_indicators(args) -> int:
    store = open_store(args.db)
    viewer = _viewer(store, args)
    frame = tables.indicator_table(store, args.level, as_of=args.as_of, category=args.category or "")
    if viewer is not None and viewer.entity is not None:
        frame = docking.visible_indicators(viewer, frame, args.level)
    elif viewer is not None:
        frame = viewer.restrict(frame, f"{args.level}_code", args.level)
    _exported(store, viewer, f"indicators {args.level}", frame, args)
    return 0


COMPLAINT_FIELDS = ["complaint_id", "source", "institution_code", "institution_name", "enterprise_code",
                    "enterprise_name", "product_code", "issue_type", "raised_date", "reply_due", "reply_date",
                    "promised_date", "resolved_date", "confirmation", "stage", "workdays_left", "reply_late", "unresolved"]


@_signed
def cmd_complaints(args) -> int:
    """The complaints as they stand today: an enterprise's or institution's own, an officer's area's, or (the
    operator at the server) the province's."""
    store = open_store(args.db)
    viewer = _viewer(store, args)
    if viewer is None:
        viewer = View.of(store, marts.ensure_default(store))
    frame = docking.complaints(viewer) if viewer.entity is not None else docking.area_complaints(viewer)
    _exported(store, viewer, "complaints list", frame[COMPLAINT_FIELDS], args)
    return 0


@_signed
def cmd_notice(args) -> int:
    """The quarterly notification as a .docx: for the signed-in account's jurisdiction (or --area inside it), or
    for the operator at the server the province (or --area); recorded as a draft and audited."""
    out = Path(args.out)
    try:  # a file that cannot be written is said before anything is drafted
        with open(out, "ab"):
            pass
    except OSError as err:
        print(f"无法写入 {out}：{err.strerror} / cannot write {out}: {err.strerror}", file=sys.stderr)
        return 1
    store = open_store(args.db)
    user = _account(store, args.user) if args.user else roles.system_user(store)
    try:
        made = notices.generate(store, user, args.quarter, args.area, progress=_progress)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 1
    for zh, en in made.notes:
        print(f"{zh} / {en}", file=sys.stderr)
    out.write_bytes(made.document)
    print(f"{args.out}\t#{made.notice_id}\t{made.content.area_name}\t{made.content.quarter}\t"
          f"{len(made.content.institutions)} 家医疗机构 / institutions")
    return 0


def _account(store, username: str):
    password = os.environ.get("VBP_PASSWORD")
    if password is None:
        password = getpass.getpass(f"{username} 的密码 / password: ")
    return accounts.authenticate(store, username, password, source="cli")


def cmd_settings(args) -> int:
    """A setting from the server's command line: what a value would change (preview, as CSV), or save it (set),
    through the same checks as the settings page."""
    store = open_store(args.db)
    operator = roles.system_user(store)
    try:
        if args.action == "preview":
            found = settings_change.preview(store, operator, args.name, args.value)
            report.emit(found.changes, "csv", sys.stdout)
        else:
            settings_change.change(store, operator, args.name, args.value)
            print(f"{args.name} = {store.settings()[args.name]}\t已保存 / saved")
    except ValueError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


def cmd_users(args) -> int:
    """Accounts from the server's command line (the first administrator is made here)."""
    store = open_store(args.db)
    operator = roles.system_user(store)

    def new_password() -> str:
        if args.password_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("新密码 / new password: ")
        if getpass.getpass("再输一次 / again: ") != first:
            raise ValueError("两次输入的密码不一致 / the passwords differ")
        return first
    try:
        if args.action == "list":
            report.emit(admin.users(store, operator)[["username", "display_name", "role", "area_code", "is_active",
                                                      "is_demo", "last_login_at"]], args.format, sys.stdout)
        elif args.action == "add":
            admin.create_user(store, operator, args.username, args.name or args.username, args.role, args.area,
                              new_password(), entity_code=args.enterprise or args.institution)
        elif args.action == "issue":
            if args.out is None:  # the workbook is the only copy of the passwords: where it goes is known first
                raise ValueError("issue 需要 --out FILE.xlsx / issue needs --out FILE.xlsx")
            try:
                with open(args.out, "ab"):
                    pass
            except OSError as err:
                raise ValueError(f"无法写入 {args.out}：{err.strerror} / cannot write {args.out}") from None
            issued = admin.issue_accounts(store, operator, tuple(args.kinds.split(",")), args.area)
            Path(args.out).write_bytes(admin.issued_workbook(store, operator, issued))
            if issued.attrs.get("skipped"):
                print(f"未创建（编码不能作为用户名，请逐个创建）/ not made (the code makes no user name): "
                      f"{', '.join(issued.attrs['skipped'])}", file=sys.stderr)
            print(f"issue: {len(issued)} 个账户，初始密码见 {args.out} / {len(issued)} accounts, passwords in {args.out}")
            return 0
        elif args.action == "role":
            admin.set_role(store, operator, args.username, args.role, args.area)
        elif args.action in ("disable", "enable"):
            admin.set_active(store, operator, args.username, args.action == "enable")
        elif args.action == "reset":
            admin.reset_password(store, operator, args.username, new_password())
        elif args.action == "sso":
            admin.link_sso(store, operator, args.username, args.subject)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if args.action != "list":
        print(f"{args.action} {args.username}: 完成 / done")
    return 0


def cmd_maps(args) -> int:
    """The simplified boundaries of the named provinces (every one by default), built into data/cache/ now rather
    than at the first start of a store of that province (scripts/setup.sh runs it)."""
    mainland = regions.province_codes()
    codes = args.province or mainland
    unknown = sorted(set(codes) - set(mainland))
    if unknown:
        print(f"省份代码不存在 / unknown province codes: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for code in codes:
        features = regions.boundaries(code)["features"]
        print(f"{code}\t{features[0]['properties']['name']}\t{len(features)}")
    return 0


def cmd_grants(args) -> int:
    """The GRANT statements for the app's PostgreSQL role (least privilege), to run as the owner."""
    try:
        print("\n".join(grants.statements(args.role)))
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {text}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="集采全流程监测平台 命令行 / VBP monitoring command line")
    sub = p.add_subparsers(dest="command", required=True)

    def with_db(sp):
        sp.add_argument("--db", metavar="URL", help="数据库地址，默认 VBP_DATABASE_URL 或 data/vbp.sqlite3")
        return sp

    d = with_db(sub.add_parser("demo", help="生成并载入演示数据 / load the demo province"))
    d.add_argument("--scale", choices=sorted(demo.SCALES), default="demo")
    d.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    d.add_argument("--replace", action="store_true", help="清空现有数据后载入 / wipe existing data first")
    d.set_defaults(func=cmd_demo)

    i = with_db(sub.add_parser("import", help="导入标准抽取文件 / import standard extract files"))
    i.add_argument("files", nargs="+")
    i.add_argument("--dry-run", action="store_true", help="只检查不写入 / check only")
    i.add_argument("--clear-demo", action="store_true",
                   help="数据库中是演示数据时，先清除全部演示数据再导入 / clear the demo province first (a demo store only)")
    i.set_defaults(func=cmd_import)

    f = with_db(sub.add_parser("flags", help="列出全部预警 / list every flag"))
    f.add_argument("--as-of", type=_date)
    f.add_argument("--category", choices=("药品", "耗材"), help="只计该类产品 / one product category only")
    f.add_argument("--format", choices=("csv", "table"), default="csv")
    f.set_defaults(func=cmd_flags)

    n = with_db(sub.add_parser("indicators", help="各级指标 / indicators by level"))
    n.add_argument("--level", required=True, choices=("province", "city", "county", "institution", "enterprise"))
    n.add_argument("--as-of", type=_date)
    n.add_argument("--category", choices=("药品", "耗材"), help="只计该类产品 / one product category only")
    n.add_argument("--format", choices=("csv", "table"), default="csv")
    n.set_defaults(func=cmd_indicators)
    for sp in (f, n):
        sp.add_argument("--user", metavar="NAME", help="以该账户登录，只输出其管辖范围（密码取自 VBP_PASSWORD 或提示输入）"
                                                       " / sign in: print only that account's jurisdiction")

    u = with_db(sub.add_parser("users", help="账户管理 / accounts"))
    u.add_argument("action", choices=("list", "add", "role", "disable", "enable", "reset", "sso", "issue"))
    u.add_argument("username", nargs="?")
    u.add_argument("--role", choices=sorted(roles.ROLES))
    u.add_argument("--area", metavar="CODE", help="市或区县代码（市级、县级经办） / city or county code for officers")
    u.add_argument("--name", help="姓名 / display name")
    u.add_argument("--subject", help="统一身份认证标识 / single sign-on identity (with sso)")
    u.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码 / read the password from stdin")
    u.add_argument("--format", choices=("csv", "table"), default="table")
    u.add_argument("--enterprise", metavar="CODE", help="企业账户绑定的企业编码 / the enterprise of an enterprise account")
    u.add_argument("--institution", metavar="CODE", help="医疗机构账户绑定的机构编码 / the institution of an institution account")
    u.add_argument("--kinds", default="enterprise,institution",
                   help="issue：为哪类单位建账户 / issue: for which entities (enterprise,institution)")
    u.add_argument("--out", metavar="FILE.xlsx", help="issue：初始密码文件 / issue: the initial passwords' workbook")
    u.set_defaults(func=cmd_users)

    c = with_db(sub.add_parser("complaints", help="诉求（按今天计算期限） / complaints as they stand today"))
    c.add_argument("action", choices=("list",))
    c.add_argument("--format", choices=("csv", "table"), default="csv")
    c.add_argument("--user", metavar="NAME", help="以该账户登录，只输出其可见的诉求 / sign in: print only what that account sees")
    c.add_argument("--as-of", type=_date, help=argparse.SUPPRESS)
    c.add_argument("--category", default="", help=argparse.SUPPRESS)
    c.set_defaults(func=cmd_complaints)

    nt = with_db(sub.add_parser("notice", help="季度通报（.docx） / the quarterly notification as a Word document"))
    nt.add_argument("--quarter", required=True, help="季度，如 2026Q3 / the quarter, e.g. 2026Q3")
    nt.add_argument("--area", metavar="CODE", help="市或区县代码，默认账户的管辖范围 / a city or county; default: the jurisdiction")
    nt.add_argument("--user", metavar="NAME", help="以该账户登录生成（密码取自 VBP_PASSWORD 或提示输入） / sign in as that account")
    nt.add_argument("--out", metavar="FILE.docx", required=True)
    nt.set_defaults(func=cmd_notice)

    st_ = with_db(sub.add_parser("settings", help="参数：预览影响或保存 / settings: preview a change or save it"))
    st_.add_argument("action", choices=("preview", "set"))
    st_.add_argument("name")
    st_.add_argument("value")
    st_.set_defaults(func=cmd_settings)

    m = sub.add_parser("maps", help="预先生成各省边界简化图 / build the provinces' simplified boundaries now")
    m.add_argument("--province", action="append", metavar="CODE", help="只生成该省（可重复） / only this province")
    m.set_defaults(func=cmd_maps)

    g = sub.add_parser("grants", help="应用数据库角色的最小权限授权语句 / least-privilege GRANTs for the app's role")
    g.add_argument("--role", required=True, help="应用连接数据库所用的角色 / the app's PostgreSQL role")
    g.set_defaults(func=cmd_grants)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command == "users" and args.action not in ("list", "issue"):
        if not args.username:
            p.error("users: 需要用户名 / a user name is needed")
        if args.action in ("add", "role") and not args.role:
            p.error("users: 需要 --role / --role is needed")
    try:
        return args.func(args)
    except db.Unavailable as err:
        print(err, file=sys.stderr)  # what to do, not a traceback
        return 2
    except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DatabaseError) as err:
        print(db.unavailable(err, getattr(args, "db", None)), file=sys.stderr)
        return 2
