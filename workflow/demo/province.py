"""The demo province: its groups of units, their heads, and the people who review, decide and
score. Names are fictional; the structure follows the Vĩnh Phúc articles (four groups of
agencies and units; 43–45 heads in 2022; district Party secretaries and chairs evaluated
separately)."""

from __future__ import annotations

DEMO_PASSWORD = "vinhphuc-2027"

GROUPS = [
    ("SO-NGANH", "Sở, ban, ngành cấp tỉnh"),
    ("HUYEN-TP", "Huyện, thành phố"),
    ("DANG", "Cơ quan tham mưu, giúp việc Tỉnh ủy"),
    ("MTTQ-DT", "Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội tỉnh"),
]

# (code, unit name, group, head username, head full name, head title)
UNITS: list[tuple[str, str, str, str, str, str]] = [
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "SO-NGANH", "gd.skhdt", "Nguyễn Văn Hùng", "Giám đốc Sở Kế hoạch và Đầu tư"),
    ("STC", "Sở Tài chính", "SO-NGANH", "gd.stc", "Trần Thị Thu Hà", "Giám đốc Sở Tài chính"),
    ("SGTVT", "Sở Giao thông vận tải", "SO-NGANH", "gd.sgtvt", "Lê Minh Tuấn", "Giám đốc Sở Giao thông vận tải"),
    ("SXD", "Sở Xây dựng", "SO-NGANH", "gd.sxd", "Phạm Quốc Khánh", "Giám đốc Sở Xây dựng"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "SO-NGANH", "gd.snn", "Hoàng Văn Thắng", "Giám đốc Sở Nông nghiệp và Phát triển nông thôn"),
    ("STNMT", "Sở Tài nguyên và Môi trường", "SO-NGANH", "gd.stnmt", "Đỗ Thị Lan", "Giám đốc Sở Tài nguyên và Môi trường"),
    ("SCT", "Sở Công Thương", "SO-NGANH", "gd.sct", "Vũ Đức Thịnh", "Giám đốc Sở Công Thương"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "SO-NGANH", "gd.sgddt", "Ngô Thị Hồng", "Giám đốc Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế", "SO-NGANH", "gd.syt", "Bùi Văn Long", "Giám đốc Sở Y tế"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "SO-NGANH", "gd.svhttdl", "Đặng Thị Mai", "Giám đốc Sở Văn hóa, Thể thao và Du lịch"),
    ("SNV", "Sở Nội vụ", "SO-NGANH", "gd.snv", "Trịnh Văn Nam", "Giám đốc Sở Nội vụ"),
    ("STTTT", "Sở Thông tin và Truyền thông", "SO-NGANH", "gd.stttt", "Lý Quang Vinh", "Giám đốc Sở Thông tin và Truyền thông"),
    ("TTT", "Thanh tra tỉnh", "SO-NGANH", "ct.ttt", "Mai Văn Đức", "Chánh Thanh tra tỉnh"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp", "SO-NGANH", "tb.bqlkcn", "Cao Thị Ngọc", "Trưởng Ban Quản lý các khu công nghiệp"),
    ("HU-VY", "Thành ủy Vĩnh Yên", "HUYEN-TP", "bt.vinhyen", "Nguyễn Đức Toàn", "Bí thư Thành ủy Vĩnh Yên"),
    ("UB-VY", "UBND thành phố Vĩnh Yên", "HUYEN-TP", "ct.vinhyen", "Phan Văn Sơn", "Chủ tịch UBND thành phố Vĩnh Yên"),
    ("HU-PY", "Thành ủy Phúc Yên", "HUYEN-TP", "bt.phucyen", "Hà Thị Bích", "Bí thư Thành ủy Phúc Yên"),
    ("UB-PY", "UBND thành phố Phúc Yên", "HUYEN-TP", "ct.phucyen", "Tạ Quang Huy", "Chủ tịch UBND thành phố Phúc Yên"),
    ("HU-BX", "Huyện ủy Bình Xuyên", "HUYEN-TP", "bt.binhxuyen", "Lương Văn Tâm", "Bí thư Huyện ủy Bình Xuyên"),
    ("UB-BX", "UBND huyện Bình Xuyên", "HUYEN-TP", "ct.binhxuyen", "Kiều Minh Châu", "Chủ tịch UBND huyện Bình Xuyên"),
    ("HU-TD", "Huyện ủy Tam Đảo", "HUYEN-TP", "bt.tamdao", "Dương Văn Phúc", "Bí thư Huyện ủy Tam Đảo"),
    ("UB-TD", "UBND huyện Tam Đảo", "HUYEN-TP", "ct.tamdao", "Nông Thị Hạnh", "Chủ tịch UBND huyện Tam Đảo"),
    ("HU-TDG", "Huyện ủy Tam Dương", "HUYEN-TP", "bt.tamduong", "Trương Văn Quang", "Bí thư Huyện ủy Tam Dương"),
    ("UB-TDG", "UBND huyện Tam Dương", "HUYEN-TP", "ct.tamduong", "Đinh Thị Thủy", "Chủ tịch UBND huyện Tam Dương"),
    ("HU-LT", "Huyện ủy Lập Thạch", "HUYEN-TP", "bt.lapthach", "Lê Quang Hải", "Bí thư Huyện ủy Lập Thạch"),
    ("UB-LT", "UBND huyện Lập Thạch", "HUYEN-TP", "ct.lapthach", "Chu Văn Bình", "Chủ tịch UBND huyện Lập Thạch"),
    ("HU-SL", "Huyện ủy Sông Lô", "HUYEN-TP", "bt.songlo", "Nguyễn Thị Yến", "Bí thư Huyện ủy Sông Lô"),
    ("UB-SL", "UBND huyện Sông Lô", "HUYEN-TP", "ct.songlo", "Hồ Văn Lực", "Chủ tịch UBND huyện Sông Lô"),
    ("HU-YL", "Huyện ủy Yên Lạc", "HUYEN-TP", "bt.yenlac", "Tô Văn Dũng", "Bí thư Huyện ủy Yên Lạc"),
    ("UB-YL", "UBND huyện Yên Lạc", "HUYEN-TP", "ct.yenlac", "Âu Thị Nga", "Chủ tịch UBND huyện Yên Lạc"),
    ("HU-VT", "Huyện ủy Vĩnh Tường", "HUYEN-TP", "bt.vinhtuong", "Khúc Văn Thành", "Bí thư Huyện ủy Vĩnh Tường"),
    ("UB-VT", "UBND huyện Vĩnh Tường", "HUYEN-TP", "ct.vinhtuong", "Quách Minh Trí", "Chủ tịch UBND huyện Vĩnh Tường"),
    ("BTCTU", "Ban Tổ chức Tỉnh ủy", "DANG", "tb.btctu", "Nguyễn Thị Kim Oanh", "Trưởng Ban Tổ chức Tỉnh ủy"),
    ("BTGTU", "Ban Tuyên giáo Tỉnh ủy", "DANG", "tb.btgtu", "Phạm Văn Cường", "Trưởng Ban Tuyên giáo Tỉnh ủy"),
    ("UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", "DANG", "cn.ubkttu", "Vương Đình Hiếu", "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy"),
    ("BDVTU", "Ban Dân vận Tỉnh ủy", "DANG", "tb.bdvtu", "Lại Thị Xuân", "Trưởng Ban Dân vận Tỉnh ủy"),
    ("BNCTU", "Ban Nội chính Tỉnh ủy", "DANG", "tb.bnctu", "Triệu Văn Kiên", "Trưởng Ban Nội chính Tỉnh ủy"),
    ("VPTU", "Văn phòng Tỉnh ủy", "DANG", "cvp.vptu", "Đoàn Thị Hương", "Chánh Văn phòng Tỉnh ủy"),
    ("DUK", "Đảng ủy Khối cơ quan và doanh nghiệp tỉnh", "DANG", "bt.duk", "Giang Văn Lâm", "Bí thư Đảng ủy Khối cơ quan và doanh nghiệp tỉnh"),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "MTTQ-DT", "ct.mttq", "Lò Văn Tiến", "Chủ tịch Ủy ban MTTQ Việt Nam tỉnh"),
    ("TD", "Tỉnh đoàn", "MTTQ-DT", "bt.tinhdoan", "Hứa Thị Phương", "Bí thư Tỉnh đoàn"),
    ("HLHPN", "Hội Liên hiệp Phụ nữ tỉnh", "MTTQ-DT", "ct.hlhpn", "Mạc Thị Loan", "Chủ tịch Hội Liên hiệp Phụ nữ tỉnh"),
    ("HND", "Hội Nông dân tỉnh", "MTTQ-DT", "ct.hnd", "Thân Văn Hòa", "Chủ tịch Hội Nông dân tỉnh"),
    ("HCCB", "Hội Cựu chiến binh tỉnh", "MTTQ-DT", "ct.hccb", "Ông Văn Thái", "Chủ tịch Hội Cựu chiến binh tỉnh"),
    ("LDLD", "Liên đoàn Lao động tỉnh", "MTTQ-DT", "ct.ldld", "Khổng Thị Duyên", "Chủ tịch Liên đoàn Lao động tỉnh"),
]

# Staff officers of the Organisation Board; each follows the units of one or two groups.
STAFF = [
    ("chuyenvien1", "Nguyễn Thu Trang", "Chuyên viên Ban Tổ chức Tỉnh ủy", ("SO-NGANH",)),
    ("chuyenvien2", "Đỗ Mạnh Cường", "Chuyên viên Ban Tổ chức Tỉnh ủy", ("HUYEN-TP",)),
    ("chuyenvien3", "Vi Thị Hải Yến", "Chuyên viên Ban cán sự đảng UBND tỉnh", ("DANG", "MTTQ-DT")),
]

COMMITTEE = [
    ("thuongvu1", "Hoàng Thế Dũng", "Bí thư Tỉnh ủy"),
    ("thuongvu2", "Phạm Thị Minh Nguyệt", "Phó Bí thư Thường trực Tỉnh ủy"),
    ("thuongvu3", "Lưu Quang Thái", "Chủ tịch UBND tỉnh, Ủy viên Ban Thường vụ"),
]

# The advisory council. The chair is the head of the Organisation Board, who is herself
# evaluated: the council must never let her score herself.
COUNCIL = [
    ("tb.btctu", "chair"),
    ("hoidong.thuky", "secretary"),
    ("hoidong1", "member"),
    ("hoidong2", "member"),
    ("hoidong3", "member"),
    ("hoidong4", "member"),
    ("hoidong5", "member"),
]
# (username, name, title, unit code): a member is recused from the head of their own unit.
COUNCIL_PEOPLE = [
    ("hoidong.thuky", "Nguyễn Văn Thư", "Phó Trưởng Ban Tổ chức Tỉnh ủy, Thư ký Hội đồng", "BTCTU"),
    ("hoidong1", "Trần Quốc Bảo", "Phó Chủ tịch UBND tỉnh", None),
    ("hoidong2", "Lê Thị Thanh Tâm", "Phó Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy", "UBKTTU"),
    ("hoidong3", "Nguyễn Hữu Nghĩa", "Phó Giám đốc Sở Nội vụ", "SNV"),
    ("hoidong4", "Bạch Thị Thanh", "Phó Trưởng Ban Tuyên giáo Tỉnh ủy", "BTGTU"),
    ("hoidong5", "Kim Văn Khôi", "Phó Chánh Văn phòng Tỉnh ủy", "VPTU"),
]

ADMIN = ("quantri", "Quản trị hệ thống", "Trung tâm Công nghệ thông tin và Truyền thông")
