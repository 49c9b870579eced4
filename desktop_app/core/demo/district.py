"""The demo district: N demo townships and a district database, joined by the real USB sync.

``demo --district DIR --townships N --villages M [--years Y]`` builds, in ``DIR``:

    DIR/district.db               the district's database (Site.level 'district', no books of its own)
    DIR/townships/<code9>/ledger.db   one demo township each (distinct names and 9-digit codes, and
                                      villages named apart: no two townships share a village name)
    DIR/stick/                    the packages carried, as a U盘 would hold them

Cards are exchanged (``identity.my_card``/``trust_card``, as an officer would after comparing
fingerprints), every township's package goes through the real ``export_package`` and
``import_package``, and the district's packages (its acknowledgements) go back the same way:
nothing here writes the district's copy of a township's rows except the sync apply path.

``district_db`` (a ``postgresql+psycopg://…`` URL of an empty database, DESIGN-NOTES 35) puts
the district on the server instead of ``DIR/district.db``; the townships stay files in ``DIR``
(a township is always a file), and ``district_work_dir`` is the server database's data folder
(the CLI's ``server_work_dir``: packages kept, attachments).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from db.engine import Database, is_database_url, safe_url
from db.migrate import open_database
from desktop_app.core.demo import build_demo
from desktop_app.core.demo.orgs import village_stems
from desktop_app.core.demo.users import DEMO_PASSWORD
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.core.progress import Progress
from desktop_app.core.services.users import create_user
from desktop_app.sync import identity
from desktop_app.sync.apply import import_package
from desktop_app.sync.cards import parse_card
from desktop_app.sync.export import export_package

DISTRICT_NAME = "江宁区经管站"
COUNTY = "320115"
# Township names of the demo district (made up like its villages; codes 101, 102, … under the county)
TOWNSHIP_NAMES = ["东山街道", "秣陵街道", "汤山街道", "淳化街道", "禄口街道", "谷里街道", "湖熟街道", "横溪街道",
                  "江宁街道", "麒麟街道", "阳光街道", "铜井镇", "上坊镇", "周岗镇", "陶吴镇", "土桥镇"]
MAX_TOWNSHIPS = 60
DISTRICT_FILE = "district.db"
ACTOR = "demo"


@dataclass(frozen=True)
class TownshipDemo:
    name: str
    region_code: str  # 9 digits
    path: Path
    villages: int
    package: Path  # the township's package to the district
    changes: int  # change records it carried
    ack: Path | None  # the district's package back (None: nothing to send)


@dataclass(frozen=True)
class DistrictDemo:
    folder: Path
    district: Path  # the file; on a server, its data folder's label (db.path)
    district_name: str
    townships: tuple[TownshipDemo, ...]
    password: str
    district_url: str | None = None  # the server's URL as given (never print it: it may hold a password)

    @property
    def district_label(self) -> str:
        """What to show: the file, or the URL without its password."""
        return str(self.district) if self.district_url is None else safe_url(self.district_url)


def township_name(i: int) -> str:
    return TOWNSHIP_NAMES[i] if i < len(TOWNSHIP_NAMES) else f"示例{i + 1}镇"


def township_code(i: int, county: str = COUNTY) -> str:
    return f"{county}{101 + i:03d}"


def _trust_each_other(a: Database, b: Database) -> None:
    with a.begin(ACTOR) as s:
        card_a = parse_card(identity.my_card(s)[1])
    with b.begin(ACTOR) as s:
        card_b = parse_card(identity.my_card(s)[1])
        identity.trust_card(s, card_a, actor=ACTOR)
    with a.begin(ACTOR) as s:
        identity.trust_card(s, card_b, actor=ACTOR)


def _check(folder: Path, townships: int, villages: int, on_server: bool) -> None:
    if not 1 <= townships <= MAX_TOWNSHIPS:
        raise ValidationError(f"乡镇数量应为 1–{MAX_TOWNSHIPS}", field="--townships")
    if not 1 <= villages <= 200:
        raise ValidationError("每个乡镇的村数量应为 1–200", field="--villages")
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} 不是文件夹：--district 需要一个（空的或新的）文件夹")
    if (not on_server and (folder / DISTRICT_FILE).exists()) or (folder / "townships").exists():
        raise UserError(f"文件夹 {folder} 中已有示例区的数据库：请换一个空文件夹，或先删除其中的 {DISTRICT_FILE} 和 townships")


def _open_district(folder: Path, district_db: str | None, work_dir: Path | None) -> Database:
    if district_db is None:
        return open_database(folder / DISTRICT_FILE, create=True)
    if not is_database_url(district_db):
        raise ValidationError("区级数据库地址应为 postgresql+psycopg://用户@主机/库名", field="--db")
    district = open_database(district_db, create=True, work_dir=work_dir or folder / "district-server")
    try:
        with district.read(ACTOR) as s:
            from db.models import Organisation, SyncPartner

            used = s.scalar(select(func.count()).select_from(Organisation)) or s.scalar(
                select(func.count()).select_from(SyncPartner))
    except BaseException:
        district.close()
        raise
    if used:  # a demo goes into an empty database only: never mixed into a real district's data
        district.close()
        raise UserError(f"数据库 {safe_url(district_db)} 已有数据：示例区只能生成到新建的空数据库中"
                        "（createdb --owner … --template template0 --encoding UTF8 --locale C.UTF-8 新库名）")
    return district


def build_district_demo(folder: Path, *, townships: int = 3, villages: int = 5, years: int = 1, seed: int = 2026,
                        name: str = DISTRICT_NAME, county: str = COUNTY, progress: Progress | None = None,
                        district_db: str | None = None, district_work_dir: Path | None = None) -> DistrictDemo:
    """Build the demo district in ``folder`` (see the module docstring). Each township is its own
    database and transaction; a failure half-way leaves the files built so far (a demo folder)."""
    folder = Path(folder)
    _check(folder, townships, villages, district_db is not None)
    identity.check_county_code(county)
    stick = folder / "stick"
    stick.mkdir(parents=True, exist_ok=True)
    steps = townships * 3 + 1
    done = 0

    def step(text: str) -> None:
        nonlocal done
        if progress is not None:
            progress.report(done, steps, text)
            progress.check()
        done += 1

    step("建立区级数据库")
    district = _open_district(folder, district_db, district_work_dir)
    district_path = district.path
    towns: list[tuple[str, str, Database]] = []
    results: list[TownshipDemo] = []
    try:
        with district.begin(ACTOR) as s:
            identity.set_site(s, "district", name, county)
            admin = create_user(s, username="admin", display_name="系统管理员", password=DEMO_PASSWORD, roles=["sysadmin"])
            create_user(s, username="quji", display_name="区经管站", password=DEMO_PASSWORD, roles=["district_admin"],
                        actor=admin, must_change_password=False)
        named: set[str] = set()  # village names of the townships built so far: each township's are its own
        for i in range(townships):
            town_name, code = township_name(i), township_code(i, county)
            stems = village_stems(code, villages, taken=named)
            named.update(stems)
            step(f"生成示例乡镇 {town_name}（{i + 1}/{townships}）")
            path = folder / "townships" / code / "ledger.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            town = open_database(path, create=True)
            towns.append((town_name, code, town))
            with town.begin(ACTOR) as s:
                # every township registers the province, city and county too: 区划 ids come from
                # their codes, so the district holds each once
                build_demo(s, villages=villages, years=years, seed=seed + i, township=town_name, region=code,
                           village_names=stems)
            _trust_each_other(town, district)
        packages: list[tuple[Path, int]] = []
        for town_name, _code, town in towns:
            step(f"{town_name} 导出同步包并由区经管站导入")
            out = export_package(town, district.origin, stick, actor=ACTOR, data_dir=town.path.parent)
            if out.path is None:  # a fresh demo always has data to send
                raise UserError(f"{town_name} 没有可发送的数据：{out.message}")
            import_package(district, out.path, actor=ACTOR, data_dir=district.work_dir)
            packages.append((out.path, out.changes))
        for (town_name, code, town), (package, changes) in zip(towns, packages, strict=True):
            step(f"区经管站向 {town_name} 发回确认")
            back = export_package(district, town.origin, stick, actor=ACTOR, data_dir=district.work_dir)
            if back.path is not None:
                import_package(town, back.path, actor=ACTOR, data_dir=town.path.parent)
            results.append(TownshipDemo(town_name, code, town.path, villages, package, changes, back.path))
    finally:
        for _n, _c, town in towns:
            town.close()
        district.close()
    if progress is not None:
        progress.report(steps, steps, "示例区已生成")
    return DistrictDemo(folder, district_path, name, tuple(results), DEMO_PASSWORD, district_db)
