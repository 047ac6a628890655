"""What the demo province buys: real VBP groups, with fictional enterprises.

Generic names, dosage forms, specifications and batches are those of the national VBP
rounds; manufacturer and distributor names are invented, so no real company is shown
failing to deliver.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    generic_name: str
    dosage_form: str
    specification: str
    category: str  # 药品 | 耗材
    vbp_batch: str
    holders: str  # all | hospital (二级及以上) | tertiary
    annual_qty: float  # agreed-volume scale for a tertiary hospital
    price: float
    winners: int = 1  # selected manufacturers; institutions pick by city
    has_nonselected: bool = False
    unit: str = "盒"  # what a quantity counts: boxes of a drug, pieces of a device


GROUPS: tuple[Group, ...] = (
    Group("阿托伐他汀钙", "片剂", "20mg×7片", "药品", "国家第一批", "all", 24000, 0.94, 2, True),
    Group("瑞舒伐他汀钙", "片剂", "10mg×28片", "药品", "国家第一批", "all", 18000, 5.6, 1, True),
    Group("苯磺酸氨氯地平", "片剂", "5mg×28片", "药品", "国家第一批", "all", 30000, 3.2, 2, True),
    Group("厄贝沙坦", "片剂", "0.15g×28片", "药品", "国家第一批", "all", 16000, 6.8, 1, True),
    Group("缬沙坦", "胶囊", "80mg×28粒", "药品", "国家第一批", "all", 14000, 8.9, 1),
    Group("盐酸二甲双胍", "片剂", "0.5g×60片", "药品", "国家第二批", "all", 26000, 4.1, 1, True),
    Group("阿卡波糖", "片剂", "50mg×30片", "药品", "国家第二批", "all", 15000, 5.2, 1),
    Group("硫酸氢氯吡格雷", "片剂", "75mg×28片", "药品", "国家第一批", "all", 12000, 17.8, 1, True),
    Group("阿司匹林", "肠溶片", "100mg×30片", "药品", "国家第二批", "all", 20000, 1.9, 1),
    Group("阿莫西林", "胶囊", "0.25g×24粒", "药品", "国家第三批", "all", 22000, 3.5, 1),
    Group("头孢呋辛酯", "片剂", "0.25g×12片", "药品", "国家第三批", "hospital", 9000, 6.4, 1, True),
    Group("左氧氟沙星", "片剂", "0.5g×10片", "药品", "国家第三批", "hospital", 8000, 4.9, 1),
    Group("恩替卡韦", "片剂", "0.5mg×28片", "药品", "国家第一批", "hospital", 6000, 8.3, 1, True),
    Group("奥美拉唑", "肠溶胶囊", "20mg×28粒", "药品", "国家第三批", "hospital", 12000, 6.1, 1, True),
    Group("蒙脱石", "散剂", "3g×10袋", "药品", "国家第二批", "all", 9000, 7.2, 1),
    Group("孟鲁司特钠", "片剂", "10mg×30片", "药品", "国家第二批", "hospital", 7000, 16.5, 1),
    Group("替格瑞洛", "片剂", "90mg×14片", "药品", "国家第五批", "hospital", 4000, 25.9, 1),
    Group("格列美脲", "片剂", "2mg×30片", "药品", "国家第二批", "all", 10000, 4.7, 1),
    Group("冠脉药物洗脱支架", "植入类", "钴铬合金 2.75×18mm", "耗材", "国家第一批高值耗材", "tertiary", 600, 700.0, 1, unit="个"),
    Group("人工晶状体", "植入类", "单焦点 非球面", "耗材", "省际联盟", "hospital", 500, 860.0, 1, unit="片"),
    Group("冠脉扩张球囊导管", "介入类", "快速交换 2.5×15mm", "耗材", "省际联盟", "tertiary", 700, 260.0, 1, unit="根"),
)

# Substitutable drugs (可替代): (generic, form, spec, replaces generic, degree, price).
SUBSTITUTES: tuple[tuple[str, str, str, str, str, float], ...] = (
    ("匹伐他汀钙", "片剂", "2mg×10片", "阿托伐他汀钙", "大部分可替代", 28.0),
    ("奥美沙坦酯", "片剂", "20mg×7片", "厄贝沙坦", "大部分可替代", 32.5),
    ("替米沙坦", "片剂", "40mg×14片", "缬沙坦", "完全可替代", 18.6),
    ("西格列汀", "片剂", "100mg×7片", "阿卡波糖", "大部分可替代", 40.1),
    ("头孢克洛", "胶囊", "0.25g×24粒", "头孢呋辛酯", "大部分可替代", 22.3),
    ("雷贝拉唑钠", "肠溶片", "10mg×14片", "奥美拉唑", "完全可替代", 24.8),
)

MAKER_PREFIXES = ("华鲁", "泰岳", "海岱", "齐州", "琅琊", "蓬莱", "东岳", "沂蒙", "黄河", "泉城",
                  "鲁南", "胶东", "渤海", "岱宗", "稷下", "崂峰", "微湖", "运河", "金乡", "青州",
                  "星海", "恒瑞达", "康泽", "仁和堂", "明德", "瑞华", "安泰", "博济", "同济源", "九和")
MAKER_SUFFIX = {"药品": "制药有限公司", "耗材": "医疗器械有限公司"}
ORIGINATOR_NAMES = ("欧礼制药（中国）有限公司", "美邦医药（上海）有限公司", "诺宁制药（苏州）有限公司",
                    "瑞康生物科技（北京）有限公司", "德美制药（天津）有限公司", "太和医药（广州）有限公司")
DISTRIBUTOR_WORDS = ("康源医药有限公司", "瑞丰医药物流有限公司", "仁济医药有限公司", "民生医药配送有限公司")

# Place-name parts for institution names.
TOWN_FIRST = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "马", "孙", "朱", "胡", "高",
              "林", "何", "郭", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程")
TOWN_SECOND = ("庄", "集", "店", "屯", "营", "桥", "寨", "湖", "疃", "坊")
VILLAGE_SECOND = ("家村", "庄村", "楼村", "洼村", "岭村", "圈村", "官庄村", "河村")
STREETS = ("东关", "西城", "南苑", "北园", "文化", "解放", "建设", "和平", "新华", "人民", "舜华", "龙山")
