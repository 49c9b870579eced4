"""Demo district → township → villages, each village a 股份经济合作社 with a valid USCC (and, where its
村民委员会 keeps books of its own, that book carries the committee's own 54… code)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from desktop_app.core.demo.funds import demo_years
from desktop_app.core.errors import ValidationError
from desktop_app.core.ids import make_uscc
from desktop_app.core.services.orgs import create_book, create_organisation, create_region

if TYPE_CHECKING:
    from desktop_app.core.demo import DemoContext

DISTRICT = ("320115000000", "江宁区")  # 江苏省南京市江宁区 (region codes only; villages are made up)
CITY = ("320100000000", "南京市")
PROVINCE = ("320000000000", "江苏省")
TOWNSHIP = ("320115106000", "阳光街道")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

VILLAGE_STEMS = [
    "李家庄", "东湖", "杨柳", "石桥", "桃园", "西岗", "前进", "红旗", "新华", "张家湾", "河口", "南山",
    "北塘", "孙家圩", "黄泥坝", "梅村", "青龙", "白马", "双塘", "窑头", "官塘", "周岗", "龙泉", "土桥",
    "铜山", "横溪", "丹阳", "陶吴", "上峰", "湖熟", "谷里", "汤山", "淳化", "禄口", "秣陵", "东山",
]  # the default township's villages, in this order (the README's and the tests' 李家庄村, 东湖村 …)

# Other townships' villages are named from these parts, as villages south of the Yangtze are: a
# clan's 王家庄 or 陈家湾, a place's 东湖 or 大营, a landmark's 桃园 or 柳塘 (made up, like the default's)
_CLANS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟陆汪范金石夏方邹孟秦邱尹薛"
_CLAN_PLACES = ("家庄", "家湾", "家圩", "家桥", "家营", "家岗", "家边", "家巷", "家塘", "家埠")
_SIDES = "东西南北前后上下大小新老中"
_PLACES = "湖山塘桥岗圩河港庄营集埠坝湾岭墩店冲"
_LANDMARKS = "桃杏梅柳松竹荷莲桂枫槐石金龙凤马鹤云"
_LANDMARK_PLACES = "园林塘湾桥山溪坞岗泉"


def _stem_pool() -> list[str]:
    pool = [c + p for c in _CLANS for p in _CLAN_PLACES] + [a + b for a in _SIDES for b in _PLACES]
    pool += [a + b for a in _LANDMARKS for b in _LANDMARK_PLACES]
    return sorted(set(pool) - set(VILLAGE_STEMS)) + VILLAGE_STEMS


def village_stems(township_region: str, count: int, taken: Collection[str] = ()) -> list[str]:
    """The names (without 村) of a demo township's ``count`` villages: the default township's are
    ``VILLAGE_STEMS`` in order; any other township's are drawn from a pool of about 1,100 in an
    order of its own (the same for the same 9-digit region code). Past the pool (a benchmark's
    hundreds of villages) the names come again with a number (东湖2). ``taken`` (the names of the
    district's other townships) are skipped, so a district officer sees each village name once."""
    code = township_region[:9]
    if code == TOWNSHIP[0][:9]:
        pool = list(VILLAGE_STEMS)
    else:
        pool = _stem_pool()
        random.Random(f"demo-villages-{code}").shuffle(pool)
    names: list[str] = []
    for round_ in itertools.count(1):
        names += [n for n in (stem if round_ == 1 else f"{stem}{round_}" for stem in pool) if n not in taken]
        if len(names) >= count:
            return names[:count]
    raise AssertionError  # pragma: no cover  (the loop returns)


def village_name(i: int) -> str:
    """The default township's ``i``-th village (without 村)."""
    return village_stems(TOWNSHIP[0], i + 1)[i]


def _uscc(rng_chars: str, level_code: str, county: str = DISTRICT[0][:6]) -> str:
    # N + level digit + county code (320115) + 9-character 主体标识码, then the check character
    return make_uscc(f"N{level_code}{county}{rng_chars}")


def township_of(name: str | None, region: str | None) -> tuple[str, str]:
    """The demo township's (12-digit region code, name) from ``demo --township NAME --region CODE9``
    (default 阳光街道 320115106). The county (first 6 digits) must be a real county code."""
    from desktop_app.sync.identity import check_county_code

    name = (name or TOWNSHIP[1]).strip()
    code = (region or TOWNSHIP[0][:9]).strip()
    if not name or len(name) > 30:
        raise ValidationError("乡镇名称不能为空，且不超过30个字", field="--township")
    if len(code) != 9 or not code.isdigit() or code[6:] == "000":
        raise ValidationError(f"乡镇区划代码“{code}”应为9位数字（县级代码6位 + 乡镇3位，如 320115106）", field="--region")
    check_county_code(code[:6])
    return f"{code}000", name


def _upper_regions(county: str) -> list[tuple[str, str]]:
    """Province, city and county regions above a township of ``county`` (江宁区 for the default)."""
    if county == DISTRICT[0][:6]:
        return [PROVINCE, CITY, DISTRICT]
    return [(f"{county[:2]}0000000000", f"示例省{county[:2]}"), (f"{county[:4]}00000000", f"示例市{county[:4]}"),
            (f"{county}000000", f"示例县{county}")]


def seed_organisations(session: Session, ctx: DemoContext) -> None:
    rng, admin = ctx.rng, ctx.users["sysadmin"]  # the organisations and books are the administrator's setup
    start = f"{demo_years(ctx.years)[0]}-01"  # the books start with the first month the demo simulates
    town_region, town_name = ctx.township
    county = town_region[:6]
    upper = _upper_regions(county)
    for code, name in [*upper, ctx.township]:
        create_region(session, code=code, name=name, user=admin)
    town_uscc = _uscc("MF" + "".join(rng.choice("0123456789") for _ in range(7)), "3", county)
    town = create_organisation(session, name=f"{town_name}股份经济联合社", level="乡镇", uscc=town_uscc,
                               region_code=town_region, phone="025-5210" + str(rng.randint(1000, 9999)), user=admin)
    ctx.idle_books.append(create_book(session, organisation_id=town.id, name=f"{town.name}账套", kind="经济联合社",
                                      start_period=start, user=admin))
    stems = ctx.village_stems or village_stems(town_region, ctx.villages)
    for i in range(ctx.villages):
        # 村委会 codes run 200–399 within the township; beyond that (benchmarks) use the next township
        town_code = int(town_region[6:9]) + i // 200
        region_code = f"{county}{town_code:03d}{200 + i % 200:03d}"
        if i and i % 200 == 0:
            create_region(session, code=f"{county}{town_code:03d}000", name=f"{town_name}{i // 200 + 1}片", user=admin)
        vname = f"{stems[i]}村"
        create_region(session, code=region_code, name=f"{vname}村民委员会", user=admin)
        body = "MF" + "".join(rng.choice(_USCC_CHARS[:10]) for _ in range(6)) + rng.choice(_USCC_CHARS)
        org = create_organisation(
            session, name=f"{vname}股份经济合作社", level="村", uscc=_uscc(body, "2", county), region_code=region_code,
            legal_rep=rng.choice("王李张刘陈杨黄赵吴周") + rng.choice(["建国", "国华", "志强", "秀英", "红梅", "海军", "德明"]),
            phone=f"139{rng.randint(10000000, 99999999)}", address=f"{upper[-1][1]}{town_name}{vname}", user=admin
        )
        ctx.orgs.append(org)
        ctx.books.append(create_book(session, organisation_id=org.id, name=f"{vname}股份经济合作社",
                                     kind="股份经济合作社", start_period=start, user=admin))
        if i % 4 == 0:  # some villages keep the 村委会's own books apart (财务制度 Art. 33)
            # the 村民委员会's own 统一社会信用代码 (54 + county + 主体标识码), never the cooperative's
            committee = make_uscc(f"54{county}ME" + "".join(rng.choice(_USCC_CHARS[:10]) for _ in range(7)))
            ctx.books.append(create_book(session, organisation_id=org.id, name=f"{vname}村民委员会",
                                         kind="村民委员会", start_period=start, credit_code=committee, user=admin))
