"""Realistic Vietnamese names and places for the demo (Bắc Kạn province, 2018)."""

# Family names weighted for Bắc Kạn: Kinh names plus common Tày, Nùng and Dao ones.
FAMILY_NAMES = [
    ("Nguyễn", 20), ("Hoàng", 12), ("Nông", 8), ("Ma", 5), ("Triệu", 5), ("Lục", 3), ("Hà", 4), ("Đàm", 2),
    ("Trần", 6), ("Lê", 4), ("Phạm", 3), ("Vũ", 2), ("Đặng", 3), ("Bùi", 2), ("Đỗ", 2), ("Lý", 3), ("Bế", 2),
    ("Lộc", 2), ("Hứa", 1), ("Dương", 2), ("Ninh", 1), ("Mã", 1), ("Chu", 1), ("Lường", 1), ("Phan", 1), ("Ngô", 1),
]
MALE_MIDDLE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thanh", "Công", "Ngọc", "Trung", "Tiến", "Mạnh"]
FEMALE_MIDDLE = ["Thị", "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương", "Kim", "Thúy", "Bích"]
MALE_GIVEN = [
    "Anh", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Khoa", "Kiên",
    "Lâm", "Long", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành",
    "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Chiến", "Định", "Giang", "Hưng", "Lợi", "Tâm",
]
FEMALE_GIVEN = [
    "An", "Anh", "Ánh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ", "Hương",
    "Hường", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên",
    "Quỳnh", "Tâm", "Thảo", "Thơ", "Thu", "Thủy", "Trang", "Uyên", "Vân", "Yến", "Lụa", "Xuân", "Đào",
]

# District-level federations of Bắc Kạn and their communes/wards (before the 2025 merger).
DISTRICTS = [
    ("Thành phố Bắc Kạn", "TPBK", ["Đức Xuân", "Nguyễn Thị Minh Khai", "Sông Cầu", "Phùng Chí Kiên", "Huyền Tụng", "Xuất Hóa", "Dương Quang", "Nông Thượng"]),
    ("Ba Bể", "BB", ["Chợ Rã", "Nam Mẫu", "Khang Ninh", "Quảng Khê", "Cao Thượng", "Hà Hiệu", "Phúc Lộc", "Thượng Giáo", "Bành Trạch", "Hoàng Trĩ", "Địa Linh", "Đồng Phúc", "Mỹ Phương", "Chu Hương", "Yến Dương"]),
    ("Bạch Thông", "BT", ["Phủ Thông", "Cẩm Giàng", "Quân Hà", "Nguyên Phúc", "Lục Bình", "Tân Tú", "Mỹ Thanh", "Sỹ Bình", "Vũ Muộn", "Cao Sơn", "Đôn Phong", "Dương Phong", "Quang Thuận", "Vi Hương"]),
    ("Chợ Đồn", "CD", ["Bằng Lũng", "Ngọc Phái", "Phương Viên", "Bằng Phúc", "Đồng Thắng", "Lương Bằng", "Nam Cường", "Yên Thịnh", "Yên Thượng", "Bình Trung", "Nghĩa Tá", "Đại Sảo", "Yên Mỹ", "Đông Viên", "Bản Thi", "Quảng Bạch", "Tân Lập", "Xuân Lạc", "Yên Phong", "Bằng Lãng"]),
    ("Chợ Mới", "CM", ["Đồng Tâm", "Yên Đĩnh", "Thanh Thịnh", "Nông Hạ", "Thanh Mai", "Hòa Mục", "Quảng Chu", "Như Cố", "Bình Văn", "Cao Kỳ", "Mai Lạp", "Thanh Vận", "Tân Sơn", "Yên Cư"]),
    ("Na Rì", "NR", ["Yến Lạc", "Kim Lư", "Côn Minh", "Cường Lợi", "Dương Sơn", "Hảo Nghĩa", "Kim Hỷ", "Lạng San", "Lương Thượng", "Quang Phong", "Sơn Thành", "Trần Phú", "Văn Lang", "Văn Minh", "Xuân Dương", "Văn Vũ", "Đổng Xá", "Liêm Thủy"]),
    ("Ngân Sơn", "NS", ["Nà Phặc", "Vân Tùng", "Bằng Vân", "Cốc Đán", "Đức Vân", "Hiệp Lực", "Thượng Ân", "Thượng Quan", "Thuần Mang", "Trung Hòa", "Lãng Ngâm"]),
    ("Pác Nặm", "PN", ["Bộc Bố", "Bằng Thành", "Cao Tân", "Công Bằng", "Cổ Linh", "Giáo Hiệu", "Nghiên Loan", "Nhạn Môn", "Xuân La", "An Thắng"]),
]
WARDS = {"Đức Xuân", "Nguyễn Thị Minh Khai", "Sông Cầu", "Phùng Chí Kiên", "Huyền Tụng", "Xuất Hóa"}
TOWNS = {"Chợ Rã", "Phủ Thông", "Bằng Lũng", "Đồng Tâm", "Yến Lạc", "Nà Phặc"}

SECTOR_UNIONS = [
    ("Công đoàn ngành Giáo dục tỉnh Bắc Kạn", "CĐGD", "education"),
    ("Công đoàn ngành Y tế tỉnh Bắc Kạn", "CĐYT", "health"),
    ("Công đoàn ngành Công Thương tỉnh Bắc Kạn", "CĐCT", "industry"),
    ("Công đoàn Viên chức tỉnh Bắc Kạn", "CĐVC", "civil"),
]
HIGH_SCHOOLS = [
    "Trường THPT Chuyên Bắc Kạn", "Trường THPT Bắc Kạn", "Trường THPT Ba Bể", "Trường THPT Quảng Khê", "Trường THPT Phủ Thông",
    "Trường THPT Chợ Đồn", "Trường THPT Bình Trung", "Trường THPT Chợ Mới", "Trường THPT Yên Hân", "Trường THPT Na Rì",
    "Trường THPT Ngân Sơn", "Trường THPT Nà Phặc", "Trường THPT Bộc Bố", "Trường PT Dân tộc nội trú tỉnh", "Trường Cao đẳng Bắc Kạn",
]
HEALTH_UNITS = [
    "Bệnh viện Đa khoa tỉnh Bắc Kạn", "Trung tâm Kiểm soát bệnh tật tỉnh", "Trung tâm Y tế thành phố Bắc Kạn", "Trung tâm Y tế huyện Ba Bể",
    "Trung tâm Y tế huyện Bạch Thông", "Trung tâm Y tế huyện Chợ Đồn", "Trung tâm Y tế huyện Chợ Mới", "Trung tâm Y tế huyện Na Rì",
    "Trung tâm Y tế huyện Ngân Sơn", "Trung tâm Y tế huyện Pác Nặm", "Bệnh viện Y dược cổ truyền tỉnh", "Bệnh viện Phổi tỉnh",
]
COMPANIES = [
    "Công ty Điện lực Bắc Kạn", "Công ty TNHH MTV Lâm nghiệp Bắc Kạn", "Công ty Cổ phần Cấp thoát nước Bắc Kạn",
    "Công ty Cổ phần Khoáng sản Bắc Kạn", "Công ty TNHH Xây dựng Thành Công", "Công ty Cổ phần Môi trường đô thị Bắc Kạn",
    "Công ty Xăng dầu Bắc Thái – Chi nhánh Bắc Kạn", "Công ty Cổ phần Dược vật tư y tế Bắc Kạn", "Công ty TNHH Gỗ ván ép Nam Cường",
    "Công ty Cổ phần Chè Bằng Phúc",
]
CIVIL_UNITS = [
    "Văn phòng Tỉnh ủy Bắc Kạn", "Văn phòng UBND tỉnh", "Sở Công Thương", "Sở Tài chính", "Sở Nội vụ", "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Kế hoạch và Đầu tư", "Sở Lao động – Thương binh và Xã hội", "Sở Văn hóa, Thể thao và Du lịch", "Sở Tư pháp", "Sở Giao thông vận tải",
    "Sở Tài nguyên và Môi trường",
]
