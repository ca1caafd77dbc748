"""Targets and tasks of the demo province, modelled on the Vĩnh Phúc articles: what each head
registers for 2027 (2026 is derived from it: last year's target is this year's baseline).

A quantitative target: ("Q", title, field, measure, baseline, target, weight, tags[, "lower"]);
a task: ("T", title, field, product, "MM-DD" due, weight, tags). Tags: N new (mới), D difficult
(khó), F focal (trọng điểm), B the bottleneck (điểm nghẽn), C a cumulative flow (the quarterly
plan is a share of the year's target rather than a steady climb from the baseline).
"""

from __future__ import annotations

DISTRICTS = {
    # code suffix: (name, budget revenue 2027 baseline → target in tỷ đồng, new party members,
    #               the party committee's bottleneck, the people's committee's bottleneck)
    "VY": ("thành phố Vĩnh Yên", 6500, 7000, 320,
           ("Hoàn tất xử lý các dự án đô thị \"đóng băng\" nhiều năm (Âu Cơ 260 ha, Hoàng Vương 14,42 ha, Núi Bầu 29,3 ha)",
            "Đất sạch được thu hồi, tạo quỹ đất thu hút dự án mới; báo cáo kết quả trình Ban Thường vụ"),
           ("Hoàn thành giải phóng mặt bằng dự án Khu đô thị mới Núi Bầu - Khu vực 2 (29,3 ha)",
            "Biên bản bàn giao 29,3 ha mặt bằng sạch cho chủ đầu tư")),
    "PY": ("thành phố Phúc Yên", 3200, 3500, 260,
           ("Chỉ đạo giải phóng mặt bằng Khu công nghiệp Phúc Yên mở rộng",
            "Nghị quyết chuyên đề của Ban Thường vụ Thành ủy và 120 ha mặt bằng được bàn giao"),
           ("Chỉnh trang đô thị khu vực phường Đồng Xuân",
            "Công trình hạ tầng, cây xanh, chiếu sáng được nghiệm thu đưa vào sử dụng")),
    "BX": ("huyện Bình Xuyên", 4200, 4600, 280,
           ("Chỉ đạo đưa 160 ha đất rừng xã Trung Mỹ vào quản lý, khai thác",
            "Phương án khai thác được phê duyệt, đất được giao cho đơn vị quản lý, chấm dứt lãng phí"),
           ("Giải phóng mặt bằng Khu công nghiệp Sơn Lôi phần diện tích thuộc huyện",
            "Bàn giao 150 ha mặt bằng sạch cho nhà đầu tư hạ tầng")),
    "TD": ("huyện Tam Đảo", 600, 680, 150,
           ("Chấm dứt tình trạng vi phạm trật tự xây dựng tại thị trấn Tam Đảo",
            "100% công trình vi phạm được xử lý theo kết luận thanh tra"),
           ("Hoàn thành quy hoạch phân khu du lịch tâm linh Tây Thiên",
            "Quyết định phê duyệt quy hoạch phân khu tỷ lệ 1/2000")),
    "TDG": ("huyện Tam Dương", 1100, 1250, 190,
            ("Lãnh đạo xây dựng huyện đạt chuẩn nông thôn mới nâng cao",
             "Hồ sơ đề nghị công nhận huyện nông thôn mới nâng cao được thẩm định"),
            ("Hoàn thành hạ tầng cụm công nghiệp Hợp Thịnh",
             "Biên bản nghiệm thu hạ tầng cụm công nghiệp")),
    "LT": ("huyện Lập Thạch", 700, 800, 170,
           ("Chỉ đạo tháo gỡ vướng mắc giải phóng mặt bằng đường tỉnh 305",
            "Mặt bằng sạch bàn giao cho nhà thầu trên toàn tuyến qua huyện"),
           ("Hoàn thành dự án đường tỉnh 305 đoạn qua huyện Lập Thạch",
            "Biên bản nghiệm thu đưa công trình vào sử dụng")),
    "SL": ("huyện Sông Lô", 500, 580, 140,
           ("Chấm dứt tình trạng khai thác cát, sỏi trái phép trên sông Lô",
            "Báo cáo kết quả kiểm tra, xử lý; không còn điểm khai thác trái phép"),
           ("Di dời các bãi tập kết cát, sỏi không phép ven sông Lô",
            "100% bãi tập kết không phép được giải tỏa")),
    "YL": ("huyện Yên Lạc", 1300, 1450, 210,
           ("Lãnh đạo hình thành vùng sản xuất nông nghiệp tập trung 300 ha",
            "Quy hoạch vùng sản xuất được phê duyệt và 300 ha được liên kết sản xuất"),
           ("Tháo gỡ vướng mắc thu hồi đất các dự án đấu giá quyền sử dụng đất",
            "Đấu giá thành công 12 khu đất theo kế hoạch")),
    "VT": ("huyện Vĩnh Tường", 1500, 1650, 230,
           ("Giải quyết dứt điểm ô nhiễm môi trường làng nghề Thổ Tang",
            "Cụm công nghiệp làng nghề có hệ thống xử lý nước thải vận hành"),
           ("Hoàn thành di dời cơ sở sản xuất gây ô nhiễm ra cụm công nghiệp làng nghề",
            "80 cơ sở được di dời và hoạt động tại cụm công nghiệp")),
}


def district_targets(kind: str, suffix: str) -> list[tuple]:
    name, revenue_base, revenue_target, members, party_task, government_task = DISTRICTS[suffix]
    if kind == "HU":
        title, product = party_task
        return [
            ("T", title, "Lãnh đạo, chỉ đạo", product, "10-31", 30, "DFB"),
            ("Q", f"Số đảng viên mới được kết nạp trong Đảng bộ {name}", "Xây dựng Đảng", "đảng viên", members, members + 40, 25, "C"),
            ("Q", "Tỷ lệ tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên", "Xây dựng Đảng", "%", 85, 88, 20, ""),
            ("Q", "Tỷ lệ xã, phường, thị trấn đạt chuẩn nông thôn mới nâng cao hoặc văn minh đô thị", "Nông thôn mới - đô thị", "%", 60, 70, 25, ""),
        ]
    title, product = government_task
    return [
        ("Q", f"Thu ngân sách nhà nước trên địa bàn {name}", "Tài chính - ngân sách", "tỷ đồng", revenue_base, revenue_target, 30, "FC"),
        ("T", title, "Đầu tư - giải phóng mặt bằng", product, "09-30", 30, "DB"),
        ("Q", "Chỉ số năng lực cạnh tranh cấp sở, ngành, địa phương (DDCI)", "Cải thiện môi trường đầu tư", "điểm", 70, 73, 20, ""),
        ("Q", "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng hạn", "Cải cách hành chính", "%", 97, 99, 20, ""),
    ]


UNITS: dict[str, list[tuple]] = {
    "SKHDT": [
        ("Q", "Vốn đầu tư thu hút mới và tăng thêm, phấn đấu gấp đôi so với năm 2020", "Kinh tế - đầu tư", "triệu USD", 650, 1300, 30, "FDC"),
        ("Q", "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)", "Cải thiện môi trường đầu tư", "điểm", 68.5, 70.5, 20, ""),
        ("T", "Tháo gỡ vướng mắc cho các dự án đầu tư chậm tiến độ, tồn đọng kéo dài", "Kinh tế - đầu tư",
         "Quyết định xử lý dứt điểm đối với 25 dự án chậm tiến độ", "11-30", 25, "D"),
        ("Q", "Tỷ lệ giải ngân kế hoạch vốn đầu tư công", "Đầu tư công", "%", 92, 97, 25, ""),
    ],
    "STC": [
        ("Q", "Thu ngân sách nhà nước trên địa bàn tỉnh", "Tài chính - ngân sách", "tỷ đồng", 33500, 36000, 35, "FC"),
        ("Q", "Tỷ lệ tiết kiệm chi thường xuyên", "Tài chính - ngân sách", "%", 10, 12, 20, ""),
        ("T", "Hoàn thành sắp xếp, xử lý nhà, đất công dôi dư sau sắp xếp tổ chức bộ máy", "Quản lý tài sản công",
         "Phương án xử lý toàn bộ cơ sở nhà, đất dôi dư được UBND tỉnh phê duyệt", "09-30", 25, "DB"),
        ("T", "Thanh toán không dùng tiền mặt đối với các khoản phí, lệ phí", "Chuyển đổi số",
         "100% cơ quan thu phí, lệ phí cấp tỉnh áp dụng thanh toán điện tử", "06-30", 20, "N"),
    ],
    "SGTVT": [
        ("Q", "Giá trị tiết kiệm qua thẩm định các dự án đầu tư giao thông (tổng giá trị trình thẩm định 1.415 tỷ đồng)", "Giao thông",
         "tỷ đồng", 80, 116, 35, "FDC"),
        ("T", "Đưa vào sử dụng tuyến đường Vành đai 3 đoạn qua thành phố Vĩnh Yên", "Giao thông",
         "Biên bản nghiệm thu, bàn giao đưa công trình vào sử dụng", "12-15", 25, "D"),
        ("T", "Giải quyết dứt điểm vướng mắc giải phóng mặt bằng các dự án giao thông trọng điểm", "Giao thông",
         "Mặt bằng sạch bàn giao cho nhà thầu tại 3 dự án trọng điểm", "09-30", 25, "B"),
        ("Q", "Tỷ lệ đường giao thông nông thôn được cứng hóa", "Giao thông", "%", 94, 97, 15, ""),
    ],
    "SXD": [
        ("T", "Hoàn tất thu hồi đất dự án Khu đô thị nhà ở du lịch sinh thái Âu Cơ (260 ha)", "Xây dựng - đô thị",
         "Quyết định thu hồi đất và biên bản bàn giao 260 ha đất sạch", "10-31", 30, "DFB"),
        ("T", "Xử lý dứt điểm dự án Khu nhà ở Hoàng Vương (14,42 ha)", "Xây dựng - đô thị",
         "Quyết định chấm dứt, thu hồi dự án và phương án giao đất mới", "06-30", 20, "D"),
        ("T", "Xử lý dứt điểm dự án Khu đô thị mới Núi Bầu - Khu vực 2 (29,3 ha)", "Xây dựng - đô thị",
         "Biên bản bàn giao 29,3 ha mặt bằng sạch cho chủ đầu tư mới", "09-30", 20, "D"),
        ("Q", "Số căn nhà ở xã hội hoàn thành", "Nhà ở", "căn", 1500, 2500, 30, "FC"),
    ],
    "SNNPTNT": [
        ("T", "Đưa 160 ha đất rừng tại xã Trung Mỹ (huyện Bình Xuyên) vào quản lý, sử dụng", "Lâm nghiệp - đất đai",
         "Phương án quản lý, khai thác 160 ha đất rừng được phê duyệt và giao cho đơn vị sử dụng", "08-31", 30, "DFB"),
        ("Q", "Số xã đạt chuẩn nông thôn mới nâng cao", "Nông thôn mới", "xã", 40, 52, 25, ""),
        ("Q", "Tỷ lệ che phủ rừng", "Lâm nghiệp", "%", 24.5, 25, 15, ""),
        ("Q", "Giá trị sản xuất trên 1 ha đất trồng trọt", "Nông nghiệp", "triệu đồng", 180, 195, 30, "N"),
    ],
    "STNMT": [
        ("Q", "Tỷ lệ chất thải rắn sinh hoạt được thu gom, xử lý", "Môi trường", "%", 95, 98, 25, ""),
        ("T", "Hoàn thành điều chỉnh bảng giá đất", "Đất đai", "Nghị quyết của HĐND tỉnh về bảng giá đất", "11-30", 25, "D"),
        ("T", "Giải quyết tồn đọng cấp giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai",
         "Giấy chứng nhận được cấp cho 100% hồ sơ tồn đọng đủ điều kiện", "10-31", 30, "FB"),
        ("Q", "Số điểm ô nhiễm môi trường làng nghề được xử lý", "Môi trường", "điểm", 2, 6, 20, "N"),
    ],
    "SCT": [
        ("Q", "Giá trị sản xuất công nghiệp", "Công nghiệp", "nghìn tỷ đồng", 420, 460, 30, "FC"),
        ("Q", "Kim ngạch xuất khẩu", "Thương mại", "tỷ USD", 8.2, 9, 25, "C"),
        ("T", "Hoàn thành hạ tầng 02 cụm công nghiệp chậm tiến độ", "Công nghiệp",
         "Biên bản nghiệm thu hạ tầng cụm công nghiệp Hợp Thịnh và Đồng Sóc", "12-15", 25, "DB"),
        ("Q", "Số sản phẩm OCOP được công nhận mới", "Thương mại", "sản phẩm", 30, 45, 20, "NC"),
    ],
    "SGDDT": [
        ("Q", "Tỷ lệ trường học đạt chuẩn quốc gia", "Giáo dục", "%", 85, 88, 30, "F"),
        ("Q", "Số huy chương tại các kỳ thi học sinh giỏi quốc tế, khu vực", "Giáo dục", "huy chương", 8, 10, 20, "DC"),
        ("T", "Khắc phục tình trạng thiếu giáo viên mầm non, tiểu học", "Giáo dục",
         "Tuyển dụng đủ 450 giáo viên theo định mức được giao", "09-15", 30, "B"),
        ("T", "Triển khai học bạ số cho học sinh tiểu học và trung học cơ sở", "Chuyển đổi số",
         "100% học sinh có học bạ số trên hệ thống", "12-31", 20, "N"),
    ],
    "SYT": [
        ("Q", "Số giường bệnh trên 1 vạn dân", "Y tế", "giường", 33, 34.5, 20, ""),
        ("Q", "Tỷ lệ dân số tham gia bảo hiểm y tế", "Y tế", "%", 94, 95.5, 25, ""),
        ("T", "Đưa Bệnh viện Sản - Nhi tỉnh cơ sở 2 vào hoạt động", "Y tế",
         "Quyết định đưa bệnh viện vào hoạt động", "10-31", 30, "DFB"),
        ("Q", "Tỷ lệ bệnh viện công lập triển khai bệnh án điện tử", "Y tế - chuyển đổi số", "%", 60, 90, 25, "N"),
    ],
    "SVHTTDL": [
        ("Q", "Số làng văn hóa kiểu mẫu được công nhận", "Văn hóa", "làng", 48, 60, 35, "F"),
        ("Q", "Tổng lượt khách du lịch", "Du lịch", "triệu lượt", 7.5, 8.2, 25, "C"),
        ("T", "Tháo gỡ vướng mắc đầu tư Khu du lịch quốc gia Tam Đảo", "Du lịch",
         "Quy hoạch chi tiết được phê duyệt và nhà đầu tư được lựa chọn", "12-15", 25, "DB"),
        ("T", "Số hóa hồ sơ 100 di tích xếp hạng cấp tỉnh", "Văn hóa - chuyển đổi số",
         "Cơ sở dữ liệu số 100 di tích được đưa lên cổng thông tin", "10-31", 15, "N"),
    ],
    "SNV": [
        ("Q", "Chỉ số cải cách hành chính (PAR Index) của tỉnh", "Cải cách hành chính", "điểm", 88.5, 90, 30, "F"),
        ("T", "Hoàn thành sắp xếp đơn vị hành chính cấp xã và bố trí cán bộ dôi dư", "Tổ chức bộ máy",
         "Phương án bố trí, giải quyết chế độ cho 100% cán bộ dôi dư", "09-30", 30, "DB"),
        ("Q", "Chỉ số hài lòng của người dân đối với sự phục vụ của cơ quan hành chính (SIPAS)", "Cải cách hành chính", "%", 86, 89, 20, ""),
        ("T", "Đánh giá công chức theo sản phẩm theo Nghị định 335/2025/NĐ-CP", "Công chức, viên chức",
         "Bộ tiêu chí và phần mềm đánh giá áp dụng tại 100% cơ quan cấp tỉnh", "06-30", 20, "N"),
    ],
    "STTTT": [
        ("Q", "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến toàn trình", "Chuyển đổi số", "%", 55, 75, 30, "FD"),
        ("Q", "Thứ hạng Chỉ số chuyển đổi số cấp tỉnh (DTI)", "Chuyển đổi số", "hạng", 18, 12, 25, "", "lower"),
        ("T", "Vận hành Trung tâm giám sát, điều hành đô thị thông minh (IOC) giai đoạn 2", "Chuyển đổi số",
         "Biên bản nghiệm thu, vận hành chính thức IOC giai đoạn 2", "11-30", 25, "B"),
        ("Q", "Tỷ lệ người trưởng thành sử dụng tài khoản định danh điện tử mức 2", "Chuyển đổi số", "%", 70, 85, 20, "N"),
    ],
    "TTT": [
        ("Q", "Tỷ lệ tiền kiến nghị thu hồi sau thanh tra được thực hiện", "Thanh tra", "%", 80, 90, 30, "F"),
        ("Q", "Tỷ lệ vụ việc khiếu nại, tố cáo được giải quyết", "Tiếp công dân, khiếu nại, tố cáo", "%", 90, 95, 25, ""),
        ("T", "Giải quyết dứt điểm các vụ việc khiếu nại đông người, kéo dài", "Tiếp công dân, khiếu nại, tố cáo",
         "Kết luận, quyết định giải quyết 12 vụ việc tồn đọng", "10-31", 30, "DB"),
        ("T", "Thanh tra trách nhiệm người đứng đầu về phòng, chống tham nhũng tại 10 cơ quan", "Phòng, chống tham nhũng",
         "10 kết luận thanh tra được công khai", "12-15", 15, ""),
    ],
    "BQLKCN": [
        ("Q", "Vốn đầu tư trực tiếp nước ngoài (FDI) thu hút vào các khu công nghiệp", "Khu công nghiệp", "triệu USD", 800, 1000, 30, "FC"),
        ("Q", "Tỷ lệ lấp đầy các khu công nghiệp đã đi vào hoạt động", "Khu công nghiệp", "%", 78, 85, 25, ""),
        ("T", "Hoàn thành giải phóng mặt bằng Khu công nghiệp Sơn Lôi", "Khu công nghiệp",
         "Bàn giao 250 ha mặt bằng sạch cho nhà đầu tư hạ tầng", "09-30", 30, "DB"),
        ("T", "Đưa vào sử dụng nhà ở công nhân Khu công nghiệp Bá Thiện", "Nhà ở công nhân",
         "1.000 căn hộ được bàn giao cho công nhân", "12-15", 15, "N"),
    ],
    "BTCTU": [
        ("T", "Đánh giá người đứng đầu các cơ quan cấp tỉnh bằng sản phẩm trên phần mềm", "Công tác cán bộ",
         "Kết quả đánh giá năm của 45 người đứng đầu được Ban Thường vụ thông qua", "12-15", 30, "FN"),
        ("Q", "Tổng số tổ chức đảng trong doanh nghiệp có vốn đầu tư nước ngoài (FDI)", "Xây dựng Đảng", "tổ chức đảng", 11, 15, 30, "DB"),
        ("Q", "Tỷ lệ cán bộ lãnh đạo, quản lý được đánh giá bằng sản phẩm", "Công tác cán bộ", "%", 60, 100, 20, ""),
        ("T", "Rà soát, bổ sung quy hoạch cán bộ diện Ban Thường vụ Tỉnh ủy quản lý", "Công tác cán bộ",
         "Nghị quyết phê duyệt quy hoạch bổ sung", "10-31", 20, ""),
    ],
    "BTGTU": [
        ("Q", "Tỷ lệ cán bộ, đảng viên được học tập, quán triệt nghị quyết", "Tuyên giáo", "%", 95, 98, 25, ""),
        ("T", "Đấu tranh phản bác quan điểm sai trái, thù địch trên không gian mạng", "Tuyên giáo",
         "Báo cáo định kỳ và 1.200 tin, bài phản bác được đăng tải", "12-15", 25, "B"),
        ("T", "Biên soạn Lịch sử Đảng bộ tỉnh giai đoạn 2020 - 2025", "Tuyên giáo",
         "Bản thảo được Ban Thường vụ Tỉnh ủy thông qua", "11-30", 30, "FD"),
        ("Q", "Số hội nghị báo cáo viên được tổ chức", "Tuyên giáo", "hội nghị", 12, 14, 20, "C"),
    ],
    "UBKTTU": [
        ("Q", "Số cuộc kiểm tra tổ chức đảng, đảng viên khi có dấu hiệu vi phạm", "Kiểm tra, giám sát", "cuộc", 20, 25, 25, "C"),
        ("T", "Giám sát việc kê khai tài sản, thu nhập của cán bộ diện Ban Thường vụ quản lý", "Kiểm tra, giám sát",
         "Báo cáo kết quả giám sát trình Ban Thường vụ Tỉnh ủy", "10-31", 30, "FD"),
        ("Q", "Tỷ lệ đơn thư tố cáo đảng viên được giải quyết đúng hạn", "Kiểm tra, giám sát", "%", 92, 98, 25, ""),
        ("T", "Xử lý dứt điểm các vụ việc tồn đọng chuyển từ năm trước", "Kiểm tra, giám sát",
         "Kết luận 100% vụ việc tồn đọng", "06-30", 20, "B"),
    ],
    "BDVTU": [
        ("Q", "Số mô hình \"Dân vận khéo\" được công nhận", "Dân vận", "mô hình", 150, 180, 30, "FC"),
        ("T", "Vận động nhân dân hiến đất làm đường giao thông nông thôn", "Dân vận",
         "Báo cáo kết quả với diện tích đất được hiến từ 50.000 m² trở lên", "11-30", 30, "DB"),
        ("Q", "Tỷ lệ vụ việc phức tạp ở cơ sở được hòa giải thành", "Dân vận", "%", 80, 85, 20, ""),
        ("T", "Sơ kết 5 năm thực hiện dân chủ ở cơ sở", "Dân vận", "Báo cáo sơ kết trình Ban Thường vụ Tỉnh ủy", "09-30", 20, ""),
    ],
    "BNCTU": [
        ("Q", "Tỷ lệ vụ án tham nhũng, kinh tế được đưa ra xét xử đúng thời hạn", "Nội chính", "%", 90, 95, 30, "F"),
        ("T", "Theo dõi, đôn đốc xử lý dứt điểm 10 vụ việc, vụ án tham nhũng dư luận quan tâm", "Phòng, chống tham nhũng",
         "Báo cáo kết quả xử lý 10 vụ việc trình Ban Chỉ đạo", "12-15", 35, "DB"),
        ("Q", "Tỷ lệ tài sản tham nhũng được thu hồi", "Phòng, chống tham nhũng", "%", 45, 55, 20, "D"),
        ("T", "Xây dựng cơ chế kiểm soát quyền lực trong quản lý đất đai", "Phòng, chống tham nhũng",
         "Đề án được Ban Thường vụ Tỉnh ủy thông qua", "10-31", 15, "N"),
    ],
    "VPTU": [
        ("Q", "Tỷ lệ văn bản trao đổi dưới dạng điện tử có ký số", "Văn phòng - chuyển đổi số", "%", 90, 98, 25, ""),
        ("T", "Vận hành phòng họp không giấy tờ của Ban Thường vụ Tỉnh ủy", "Văn phòng - chuyển đổi số",
         "Hệ thống được sử dụng tại 100% cuộc họp của Ban Thường vụ", "06-30", 30, "FN"),
        ("T", "Đôn đốc thực hiện các kết luận của Ban Thường vụ bị chậm", "Văn phòng",
         "Báo cáo hằng quý; 100% kết luận quá hạn được xử lý", "12-15", 25, "B"),
        ("Q", "Thời gian trung bình trình ký văn bản", "Văn phòng", "ngày", 5, 3, 20, "", "lower"),
    ],
    "DUK": [
        ("Q", "Số đảng viên kết nạp mới trong doanh nghiệp ngoài nhà nước và doanh nghiệp FDI", "Xây dựng Đảng", "đảng viên", 111, 140, 30, "FDC"),
        ("T", "Thành lập tổ chức đảng tại 05 doanh nghiệp FDI chưa có tổ chức đảng", "Xây dựng Đảng",
         "Quyết định thành lập 05 chi bộ, đảng bộ cơ sở", "11-30", 30, "DB"),
        ("Q", "Tỷ lệ tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên", "Xây dựng Đảng", "%", 86, 90, 20, ""),
        ("T", "Số hóa hồ sơ đảng viên của Đảng bộ Khối", "Xây dựng Đảng - chuyển đổi số",
         "100% hồ sơ đảng viên được cập nhật vào cơ sở dữ liệu", "09-30", 20, "N"),
    ],
    "MTTQ": [
        ("Q", "Số nhà Đại đoàn kết xây mới, sửa chữa cho hộ nghèo", "An sinh xã hội", "nhà", 300, 400, 30, "FC"),
        ("Q", "Tỷ lệ khu dân cư đạt danh hiệu khu dân cư văn hóa", "Mặt trận", "%", 88, 90, 20, ""),
        ("T", "Giám sát bồi thường, giải phóng mặt bằng tại 03 dự án trọng điểm", "Giám sát, phản biện xã hội",
         "Báo cáo giám sát và kiến nghị gửi UBND tỉnh", "10-31", 30, "DB"),
        ("T", "Lấy ý kiến nhân dân về hoạt động của chính quyền cơ sở", "Giám sát, phản biện xã hội",
         "Báo cáo tổng hợp ý kiến tại 100% xã, phường", "11-30", 20, "N"),
    ],
    "TD": [
        ("Q", "Số đoàn viên ưu tú được giới thiệu kết nạp Đảng", "Công tác thanh niên", "đoàn viên", 2500, 2800, 30, "FC"),
        ("Q", "Số thanh niên được hỗ trợ khởi nghiệp, tạo việc làm", "Công tác thanh niên", "người", 3000, 3500, 25, "C"),
        ("T", "Triển khai \"Bình dân học vụ số\" cho đoàn viên, thanh niên", "Chuyển đổi số",
         "100% cơ sở Đoàn tổ chức tập huấn kỹ năng số", "09-30", 25, "N"),
        ("T", "Thành lập chi đoàn tại doanh nghiệp trong khu công nghiệp", "Công tác thanh niên",
         "Quyết định thành lập 20 chi đoàn tại doanh nghiệp", "12-15", 20, "DB"),
    ],
    "HLHPN": [
        ("Q", "Số hộ nghèo do phụ nữ làm chủ được hỗ trợ thoát nghèo", "Công tác phụ nữ", "hộ", 350, 420, 30, "FC"),
        ("T", "Thành lập tổ hợp tác, hợp tác xã do phụ nữ quản lý", "Công tác phụ nữ",
         "15 tổ hợp tác, hợp tác xã được cấp đăng ký", "11-30", 25, "N"),
        ("Q", "Tỷ lệ phụ nữ được tuyên truyền về phòng, chống bạo lực gia đình", "Công tác phụ nữ", "%", 85, 92, 20, ""),
        ("T", "Giám sát việc tham gia bảo hiểm xã hội của lao động nữ trong khu công nghiệp", "Giám sát",
         "Báo cáo giám sát và kiến nghị tại 30 doanh nghiệp", "10-31", 25, "DB"),
    ],
    "HND": [
        ("Q", "Số hộ nông dân sản xuất, kinh doanh giỏi các cấp", "Công tác nông dân", "hộ", 40000, 42000, 25, ""),
        ("Q", "Dư nợ Quỹ Hỗ trợ nông dân", "Công tác nông dân", "tỷ đồng", 90, 110, 25, "F"),
        ("T", "Xây dựng mô hình liên kết sản xuất theo chuỗi giá trị", "Công tác nông dân",
         "10 hợp đồng liên kết tiêu thụ nông sản được ký kết", "11-30", 30, "DB"),
        ("T", "Đưa hội viên nông dân lên sàn thương mại điện tử", "Chuyển đổi số",
         "5.000 hội viên bán hàng trên sàn thương mại điện tử", "12-15", 20, "N"),
    ],
    "HCCB": [
        ("Q", "Số hội viên cựu chiến binh được hỗ trợ vốn phát triển kinh tế", "Công tác hội", "hội viên", 1500, 1700, 30, "FC"),
        ("T", "Tham gia hòa giải các vụ việc phức tạp ở cơ sở", "Công tác hội",
         "Báo cáo kết quả hòa giải 100% vụ việc được giao", "12-15", 30, "B"),
        ("Q", "Tỷ lệ cơ sở hội vững mạnh", "Công tác hội", "%", 85, 88, 20, ""),
        ("T", "Giáo dục truyền thống cho học sinh tại 100 trường học", "Công tác hội",
         "Báo cáo kết quả tại 100 trường học", "11-30", 20, "D"),
    ],
    "LDLD": [
        ("Q", "Số đoàn viên công đoàn phát triển mới", "Công đoàn", "đoàn viên", 12000, 15000, 30, "FC"),
        ("T", "Thành lập công đoàn cơ sở tại doanh nghiệp FDI có từ 100 lao động", "Công đoàn",
         "Quyết định công nhận 15 công đoàn cơ sở mới", "11-30", 30, "DB"),
        ("Q", "Tỷ lệ doanh nghiệp có thỏa ước lao động tập thể", "Công đoàn", "%", 60, 70, 20, ""),
        ("T", "Xây dựng \"Mái ấm Công đoàn\" cho đoàn viên khó khăn", "Công đoàn",
         "200 căn nhà được bàn giao", "12-15", 20, "N"),
    ],
}
for _suffix in DISTRICTS:
    UNITS[f"HU-{_suffix}"] = district_targets("HU", _suffix)
    UNITS[f"UB-{_suffix}"] = district_targets("UB", _suffix)
