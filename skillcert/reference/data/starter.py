"""The starter sets that every skillcert database carries from its first migration.

Written for skillcert from public facts (domain-cn-skills.md §3, §5, §10.3, and the osta 2022 catalogue for
the occupation codes); the full official sets are loaded with ``skillcert import-regions`` and
``skillcert import-occupations``. Keep the tuples to the fields of the reference models as of migration
0001 (``LEVEL_RANGES``: 0003): the seeding migrations read this module, so a new field needs its own
migration, not a new column here.
"""

# (code, certificate digit or None, label as printed, short name, rank, is_high_skill)
# 高技能人才 = 高级工 and above (2007 definition), so the 新八级 rungs above 高级技师 count too.
SKILL_LEVELS: tuple[tuple[str, int | None, str, str, int, bool], ...] = (
    ("APPRENTICE", None, "学徒工", "学徒工", 0, False),
    ("L5", 5, "五级/初级工", "初级工", 1, False),
    ("L4", 4, "四级/中级工", "中级工", 2, False),
    ("L3", 3, "三级/高级工", "高级工", 3, True),
    ("L2", 2, "二级/技师", "技师", 4, True),
    ("L1", 1, "一级/高级技师", "高级技师", 5, True),
    ("SPECIAL_TECH", None, "特级技师", "特级技师", 6, True),
    ("CHIEF_TECH", None, "首席技师", "首席技师", 7, True),
)

# (code, name, level, established_year): the 34 province-level units of GB/T 2260.
PROVINCES: tuple[tuple[str, str, str, int], ...] = (
    ("110000", "北京市", "province", 1981),
    ("120000", "天津市", "province", 1981),
    ("130000", "河北省", "province", 1981),
    ("140000", "山西省", "province", 1981),
    ("150000", "内蒙古自治区", "province", 1981),
    ("210000", "辽宁省", "province", 1981),
    ("220000", "吉林省", "province", 1981),
    ("230000", "黑龙江省", "province", 1981),
    ("310000", "上海市", "province", 1981),
    ("320000", "江苏省", "province", 1981),
    ("330000", "浙江省", "province", 1981),
    ("340000", "安徽省", "province", 1981),
    ("350000", "福建省", "province", 1981),
    ("360000", "江西省", "province", 1981),
    ("370000", "山东省", "province", 1981),
    ("410000", "河南省", "province", 1981),
    ("420000", "湖北省", "province", 1981),
    ("430000", "湖南省", "province", 1981),
    ("440000", "广东省", "province", 1981),
    ("450000", "广西壮族自治区", "province", 1981),
    ("460000", "海南省", "province", 1988),
    ("500000", "重庆市", "province", 1997),
    ("510000", "四川省", "province", 1981),
    ("520000", "贵州省", "province", 1981),
    ("530000", "云南省", "province", 1981),
    ("540000", "西藏自治区", "province", 1981),
    ("610000", "陕西省", "province", 1981),
    ("620000", "甘肃省", "province", 1981),
    ("630000", "青海省", "province", 1981),
    ("640000", "宁夏回族自治区", "province", 1981),
    ("650000", "新疆维吾尔自治区", "province", 1981),
    ("710000", "台湾省", "province", 1981),
    ("810000", "香港特别行政区", "province", 1997),
    ("820000", "澳门特别行政区", "province", 1999),
)

# Shanghai below the province: the 市辖区 prefecture row and the 16 current districts (§10.3).
# The GB/T 2260 history file lists Shanghai's districts directly under 310000 and has no 310100 row, so
# the import never touches it; the starter set keeps it as the prefecture-level 市辖区 of the code scheme.
SHANGHAI: tuple[tuple[str, str, str, int | None], ...] = (
    ("310100", "市辖区", "prefecture", None),
    ("310101", "黄浦区", "county", 1981),
    ("310104", "徐汇区", "county", 1981),
    ("310105", "长宁区", "county", 1981),
    ("310106", "静安区", "county", 1981),
    ("310107", "普陀区", "county", 1981),
    ("310109", "虹口区", "county", 1981),
    ("310110", "杨浦区", "county", 1981),
    ("310112", "闵行区", "county", 1981),
    ("310113", "宝山区", "county", 1988),
    ("310114", "嘉定区", "county", 1992),
    ("310115", "浦东新区", "county", 1992),
    ("310116", "金山区", "county", 1997),
    ("310117", "松江区", "county", 1998),
    ("310118", "青浦区", "county", 1999),
    ("310120", "奉贤区", "county", 2001),
    ("310151", "崇明区", "county", 2016),
)

REGIONS = PROVINCES + SHANGHAI

# (code, name without marker, is_green (L), is_digital (S), small_code, small_name, job types)
# Codes and names checked against the osta 2022 catalogue; 育婴员 (4-10-01-02) is left out because that
# catalogue does not list it (domain-cn-skills.md §5, §11 item 9).
OCCUPATIONS: tuple[tuple[str, str, bool, bool, str, str, tuple[str, ...]], ...] = (
    # 4 社会生产服务和生活服务人员
    ("4-01-06-01", "电子商务师", False, True, "4-01-06", "电子商务服务人员", ()),
    ("4-01-06-02", "互联网营销师", False, True, "4-01-06", "电子商务服务人员", ()),
    ("4-02-04-06", "无人机驾驶员", False, False, "4-02-04", "航空运输服务人员", ()),
    ("4-02-06-01", "仓储管理员", False, False, "4-02-06", "仓储物流服务人员", ()),
    ("4-02-06-03", "物流服务师", True, False, "4-02-06", "仓储物流服务人员", ()),
    ("4-02-07-08", "快递员", False, False, "4-02-07", "邮政和快递服务人员", ()),
    ("4-03-01-02", "客房服务员", False, False, "4-03-01", "住宿服务人员", ()),
    ("4-03-02-01", "中式烹调师", False, False, "4-03-02", "餐饮服务人员", ()),
    ("4-03-02-02", "中式面点师", False, False, "4-03-02", "餐饮服务人员", ()),
    ("4-03-02-03", "西式烹调师", False, False, "4-03-02", "餐饮服务人员", ()),
    ("4-03-02-04", "西式面点师", False, False, "4-03-02", "餐饮服务人员", ()),
    ("4-03-02-05", "餐厅服务员", False, False, "4-03-02", "餐饮服务人员", ()),
    ("4-03-02-07", "茶艺师", False, False, "4-03-02", "餐饮服务人员", ()),
    ("4-04-04-02", "网络与信息安全管理员", False, True, "4-04-04", "信息通信网络运行管理人员", ()),
    ("4-04-05-01", "计算机程序设计员", False, True, "4-04-05", "软件和信息技术服务人员", ()),
    ("4-04-05-05", "人工智能训练师", False, True, "4-04-05", "软件和信息技术服务人员", ()),
    ("4-07-03-02", "劳动关系协调师", False, False, "4-07-03", "人力资源服务人员", ()),
    ("4-07-03-04", "企业人力资源管理师", False, False, "4-07-03", "人力资源服务人员", ()),
    ("4-07-05-01", "保安员", False, False, "4-07-05", "安全保护服务人员", ()),
    ("4-07-05-03", "消防设施操作员", False, False, "4-07-05", "安全保护服务人员", ()),
    ("4-09-10-01", "园林绿化工", True, False, "4-09-10", "绿化与园艺服务人员", ()),
    ("4-10-01-01", "婴幼儿发展引导员", False, False, "4-10-01", "生活照料服务人员", ()),
    ("4-10-01-03", "保育师", False, False, "4-10-01", "生活照料服务人员", ()),
    ("4-10-01-05", "养老护理员", False, False, "4-10-01", "生活照料服务人员", ()),
    ("4-10-01-06", "家政服务员", False, False, "4-10-01", "生活照料服务人员", ()),
    ("4-10-03-01", "美容师", False, False, "4-10-03", "美容美发和浴池服务人员", ()),
    ("4-10-03-02", "美发师", False, False, "4-10-03", "美容美发和浴池服务人员", ()),
    ("4-10-04-02", "保健按摩师", False, False, "4-10-04", "保健服务人员", ()),
    ("4-10-08-01", "网约配送员", False, False, "4-10-08", "社区生活服务人员", ()),
    ("4-12-01-01", "汽车维修工", False, False, "4-12-01", "汽车摩托车修理技术服务人员", ()),
    ("4-14-02-02", "健康管理师", False, False, "4-14-02", "健康咨询服务人员", ()),
    ("4-14-03-03", "眼镜验光师", False, False, "4-14-03", "康复矫正服务人员", ()),
    # 6 生产制造及有关人员
    # 数控车工: a stand-alone 职业资格 before; as a 工种 of 车工 under the current standard it is UNCONFIRMED
    # (domain-cn-skills.md §11 item 9). Kept so that filings can name it; an administrator may remove it.
    ("6-18-01-01", "车工", False, False, "6-18-01", "机械冷加工人员", ("数控车工",)),
    ("6-18-01-02", "铣工", False, False, "6-18-01", "机械冷加工人员", ()),
    ("6-18-01-04", "磨工", False, False, "6-18-01", "机械冷加工人员", ()),
    ("6-18-01-07", "多工序数控机床操作调整工", False, False, "6-18-01", "机械冷加工人员", ()),
    ("6-18-02-01", "铸造工", False, False, "6-18-02", "机械热加工人员", ()),
    # 焊工 工种 and their level ranges: 电焊工 5→1, 气焊工 5→3, 钎焊工 5→2, 焊接设备操作工 5→1.
    (
        "6-18-02-04",
        "焊工",
        False,
        False,
        "6-18-02",
        "机械热加工人员",
        ("电焊工", "气焊工", "钎焊工", "焊接设备操作工"),
    ),
    ("6-18-03-03", "涂装工", False, False, "6-18-03", "机械表面处理加工人员", ()),
    ("6-18-04-01", "模具工", False, False, "6-18-04", "工装工具制造加工人员", ()),
    ("6-18-04-06", "工具钳工", False, False, "6-18-04", "工装工具制造加工人员", ()),
    ("6-20-01-01", "装配钳工", False, False, "6-20-01", "通用基础件装配制造人员", ()),
    ("6-22-02-01", "汽车装调工", False, False, "6-22-02", "汽车整车制造人员", ()),
    ("6-25-04-07", "电子设备装接工", False, False, "6-25-04", "电子设备装配调试人员", ()),
    ("6-28-01-11", "锅炉操作工", False, False, "6-28-01", "电力、热力生产和供应人员", ()),
    ("6-28-01-15", "继电保护员", False, False, "6-28-01", "电力、热力生产和供应人员", ()),
    ("6-29-01-01", "砌筑工", False, False, "6-29-01", "房屋建筑施工人员", ()),
    ("6-29-01-04", "钢筋工", False, False, "6-29-01", "房屋建筑施工人员", ()),
    ("6-29-01-05", "架子工", False, False, "6-29-01", "房屋建筑施工人员", ()),
    ("6-29-03-02", "电气设备安装工", False, False, "6-29-03", "建筑安装施工人员", ()),
    ("6-29-03-03", "电梯安装维修工", False, False, "6-29-03", "建筑安装施工人员", ()),
    ("6-29-03-05", "制冷空调系统安装维修工", False, False, "6-29-03", "建筑安装施工人员", ()),
    ("6-30-05-01", "起重装卸机械操作工", False, False, "6-30-05", "通用工程机械操作人员", ()),
    # There is no single 钳工 occupation: 钳工 = 工具钳工 / 装配钳工 / 机修钳工.
    ("6-31-01-02", "机修钳工", False, False, "6-31-01", "机械设备修理人员", ()),
    ("6-31-01-03", "电工", False, False, "6-31-01", "机械设备修理人员", ()),
    ("6-31-03-01", "化学检验员", False, False, "6-31-03", "检验试验人员", ()),
    ("6-31-07-01", "工业机器人系统运维员", False, True, "6-31-07", "工业机器人操作运维人员", ()),
    ("6-31-07-03", "工业机器人系统操作员", False, True, "6-31-07", "工业机器人操作运维人员", ()),
)

# (occupation code, job type name or "" for the occupation itself, lowest, highest certificate digit):
# the level ranges domain-cn-skills.md §3.1 documents; every other occupation allows 五级 to 一级. Loaded
# by migration 0004 (after LevelRange existed), and only for occupations and job types present.
LEVEL_RANGES: tuple[tuple[str, str, int, int], ...] = (
    ("4-10-01-01", "", 4, 1),  # 婴幼儿发展引导员 (2021 standard): 四级 to 一级 only
    ("6-18-02-04", "电焊工", 5, 1),
    ("6-18-02-04", "气焊工", 5, 3),
    ("6-18-02-04", "钎焊工", 5, 2),
    ("6-18-02-04", "焊接设备操作工", 5, 1),
)
