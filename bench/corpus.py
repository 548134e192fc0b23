"""Deterministic synthetic corpus of registry entries for benchmarks.

Stories are stitched from real sentences of the field (below), picked with a Zipf
distribution, with names, places and numbers filled in and a share of syllables
replaced by Zipf-sampled vocabulary so the lexicon keeps growing with N.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
from datetime import datetime, timedelta
from typing import Any, Iterator

SENTENCES = """
Mô hình được Ủy ban nhân dân huyện biểu dương và đề nghị nhân rộng trên toàn tỉnh.
Đoàn viên thanh niên tình nguyện đi chợ hộ cho các hộ gia đình trong khu phong tỏa.
Tổ dân phố thành lập đội tự quản về an ninh trật tự và vệ sinh môi trường.
Cây ATM gạo hoạt động suốt ngày đêm, mỗi người được nhận hai ký gạo.
Chị {name} đã hiến máu tình nguyện {n} lần và vận động cả gia đình cùng tham gia.
Hội Liên hiệp Phụ nữ xã giúp chị em vay vốn phát triển kinh tế gia đình.
Công an xã phối hợp với ban điều hành khu dân cư tuần tra vào ban đêm.
Cán bộ Mặt trận kiên trì đến từng nhà đối thoại, lắng nghe ý kiến của bà con.
Nhà văn hóa thôn được sửa chữa khang trang nhờ sự đóng góp của nhân dân.
Người dân tự nguyện hiến đất, góp công làm đường bê tông liên thôn.
Đội phòng cháy chữa cháy tình nguyện được huấn luyện sử dụng bình chữa cháy.
Cảnh sát giao thông dẫn đường cho xe cứu thương vượt qua đoạn ùn tắc.
Trường Trung học cơ sở tổ chức lớp học miễn phí cho học sinh có hoàn cảnh khó khăn.
Trạm y tế xã tổ chức tiêm vắc xin lưu động tại nhà cho người cao tuổi.
Hội Cựu chiến binh vận động hội viên giúp nhau thoát nghèo bền vững.
Hợp tác xã liên kết với doanh nghiệp bao tiêu toàn bộ sản phẩm cho nông dân.
Bộ phận một cửa tiếp nhận hồ sơ trực tuyến, giảm thời gian đi lại cho người dân.
Chi đoàn thanh niên sửa nhà cho hộ nghèo và gia đình chính sách.
Ông {name} hơn mười năm lặng lẽ nhặt đinh trên quốc lộ.
Người dân góp tiền lắp camera an ninh tại các ngõ xóm.
Câu lạc bộ dưỡng sinh thu hút hơn {n} hội viên người cao tuổi tham gia mỗi sáng.
Tuyến đường bích họa trở thành điểm tham quan của du khách.
Hội Nông dân trao bò giống cho hộ nghèo, con bê đầu tiên được chuyển cho hộ khác.
Phụ huynh và thầy cô thay nhau điều tiết giao thông trước cổng trường giờ tan học.
Các thành viên trực điện thoại cả ngày lẫn đêm để hỗ trợ người bệnh.
Nhóm tài xế tình nguyện chở miễn phí bệnh nhân nghèo về quê.
Bếp ăn không đồng nấu hàng trăm suất cơm mỗi ngày cho bệnh nhân.
Thầy giáo cắm bản tự làm đồ dùng dạy học và nấu cơm trưa cho học trò.
Bác sĩ trẻ xin về công tác tại trạm y tế xã đặc biệt khó khăn.
Tổ hòa giải ở cơ sở hòa giải thành nhiều vụ tranh chấp đất đai.
Nông dân góp công nạo vét kênh thủy lợi bảo đảm nước tưới cho vụ đông xuân.
Lực lượng công an cấp căn cước công dân lưu động tại nhà cho người già yếu.
Hội đồng nhân dân huyện giám sát việc giải quyết kiến nghị của cử tri.
Đại biểu Hội đồng nhân dân tiếp xúc cử tri trước và sau mỗi kỳ họp.
Đoàn Thanh niên Cộng sản Hồ Chí Minh ra quân trong tháng thanh niên.
Sinh viên tình nguyện dạy người cao tuổi sử dụng điện thoại thông minh.
Xã triển khai chuyển đổi số, khuyến khích thanh toán không dùng tiền mặt.
Tổ công nghệ số cộng đồng hướng dẫn từng hộ cài đặt ứng dụng.
Người dân ấp tự chỉnh trang hàng rào, trồng hoa và lắp đèn đường.
Xã đạt chuẩn nông thôn mới nâng cao sau năm năm phấn đấu.
Chương trình tặng thẻ bảo hiểm y tế cho người thuộc hộ cận nghèo.
Cán bộ văn hóa xã đi từng nhà vận động người dân tham gia bảo hiểm xã hội tự nguyện.
Phòng Giáo dục và Đào tạo tổ chức tủ sách lưu động đến các điểm trường lẻ.
Phòng Lao động - Thương binh và Xã hội thăm hỏi, tặng quà gia đình chính sách.
Trung tâm Văn hóa - Thông tin huyện tổ chức hội thi dân ca.
Gian hàng không đồng có quần áo, gạo và nhu yếu phẩm cho người khó khăn.
Chị {name} nuôi cá lóc trong ao, mỗi năm có thu nhập vài trăm triệu đồng.
Quán cà phê sách miễn phí cho công nhân đọc sách sau giờ làm.
Người dân trồng rừng ngập mặn làm lá chắn chống sạt lở đê biển.
Lá lành đùm lá rách, hội viên góp quỹ giúp nhau vượt khó.
Đội ca nô tình nguyện cứu hộ người dân bị cô lập trong mùa lũ.
Tổ dân phố vận động các hộ không hát karaoke sau mười giờ tối.
Câu lạc bộ khởi nghiệp hỗ trợ các startup nông nghiệp công nghệ cao.
Đoàn thanh niên lắp đặt wifi miễn phí tại nhà văn hóa để học sinh học trực tuyến.
Người dân có thể phản ánh qua email, đường dây nóng hoặc nhóm Zalo của khu phố.
Tuyến xe buýt miễn phí đưa đón học sinh dân tộc thiểu số đến trường.
Trong đại dịch Covid-19, nhiều mô hình hỗ trợ người dân ra đời.
Các y bác sĩ tình nguyện vào tâm dịch hỗ trợ điều trị bệnh nhân Covid-19.
Nhà hảo tâm tặng máy tính và điện thoại cho học sinh học trực tuyến.
Anh {name} lao xuống dòng nước xiết cứu hai em nhỏ bị đuối nước.
Người lạ trả lại chiếc ví có hơn {n} triệu đồng cho người đánh rơi.
Bà {name} bán cá ở chợ quê suốt bốn mươi năm, luôn giữ chữ tín.
Ông {name} gom lá khô trên đường làng ủ thành phân bón hữu cơ.
Các hộ kinh doanh cam kết không xả rác ra vỉa hè và phân loại rác tại nguồn.
Học sinh đổi chai nhựa lấy sách, vừa bảo vệ môi trường vừa xây dựng thư viện.
Giáo viên tổ chức giờ đọc sách mỗi tuần để lan tỏa văn hóa đọc.
Người dân phố cổ tự tổ chức rước đèn Trung thu cho thiếu nhi.
Chiến sĩ cảnh sát phòng cháy chữa cháy cứu nhiều người mắc kẹt trong đám cháy.
Các cụ cao tuổi gương mẫu trong phong trào khuyến học, khuyến tài.
Quỹ khuyến học của dòng họ trao học bổng cho học sinh nghèo học giỏi.
Mỗi năm, hội viên đóng góp hàng nghìn ngày công làm đường giao thông nông thôn.
Nhiều hộ đã thoát nghèo nhờ được hỗ trợ cây giống, con giống và kỹ thuật.
Mô hình tiết kiệm xoay vòng giúp chị em buôn bán nhỏ có vốn làm ăn.
Chính quyền địa phương đã khen thưởng và đề nghị cấp trên tặng bằng khen.
Chủ tịch Ủy ban nhân dân tỉnh tặng bằng khen cho tập thể có thành tích xuất sắc.
Tập thể được tặng danh hiệu Tập thể lao động xuất sắc ba năm liền.
Anh được bình chọn là gương người tốt việc tốt tiêu biểu của thành phố.
Phong trào dân vận khéo được triển khai sâu rộng đến từng thôn, tổ dân phố.
Các chi hội phụ nữ duy trì mô hình gia đình năm không, ba sạch.
Ban công tác Mặt trận vận động quỹ Vì người nghèo xây nhà đại đoàn kết.
Người dân tích cực tham gia phong trào toàn dân đoàn kết xây dựng đời sống văn hóa.
Khu dân cư ba năm liền không có tệ nạn ma túy và trộm cắp.
Công an phường phối hợp với tổ dân phố tuyên truyền phòng chống lừa đảo qua mạng.
Lực lượng dân quân tự vệ giúp dân chằng chống nhà cửa trước mùa mưa bão.
Bộ đội biên phòng nhận đỡ đầu học sinh nghèo ở các xã biên giới.
Những chuyến xe nghĩa tình chở rau củ từ vùng quê lên thành phố.
Nhóm thiện nguyện mang nước sạch và lọc nước về các xã vùng hạn mặn.
Mỗi tuần, các thành viên thay phiên nhau dọn rác trên bãi biển.
Các em học sinh được hướng dẫn kỹ năng bơi lội để phòng chống đuối nước.
Tủ thuốc nhân đạo đặt tại nhà văn hóa phục vụ người dân miễn phí.
Bà con dân tộc thiểu số được hướng dẫn trồng cây dược liệu dưới tán rừng.
Hợp tác xã có sản phẩm đạt chuẩn OCOP bốn sao.
Ông {name} hiến hơn {n} mét vuông đất để mở rộng đường làng.
Các tình nguyện viên dạy tiếng Việt cho trẻ em người dân tộc ở bản xa.
Phụ nữ khởi nghiệp với sản phẩm nông sản sạch bán trên mạng xã hội.
Mô hình chợ an toàn thực phẩm được người tiêu dùng tin tưởng.
Nhờ mô hình, tỉ lệ hồ sơ giải quyết đúng hạn đạt gần một trăm phần trăm.
Sau một năm thực hiện, phản ánh về tiếng ồn và rác thải giảm hẳn.
Câu lạc bộ ca trù truyền dạy miễn phí cho thanh thiếu niên.
Điều dưỡng trực ca đêm suốt những ngày Tết để đồng nghiệp về quê.
Thanh niên tỉnh Hòa Bình ra quân làm đường giao thông nông thôn.
Chị {name} nhận nuôi nhiều trẻ mồ côi, lo cho các em ăn học.
Tổng đài hotline tiếp nhận phản ánh về môi trường và trật tự đô thị.
Trường học tổ chức tiết học ngoại khóa về an toàn giao thông.
Các cháu thiếu nhi được tặng mũ bảo hiểm khi đến trường.
Hội Chữ thập đỏ trao quà Tết cho người có hoàn cảnh đặc biệt khó khăn.
Hàng trăm suất quà được trao cho công nhân không có điều kiện về quê ăn Tết.
Ông {name} dành dụm tiền lương hưu để xây cầu cho bà con qua lại.
Cây cầu nông thôn mới giúp học sinh không còn phải lội suối đến trường.
Người dân hiến kế giúp chính quyền giải quyết điểm nóng về môi trường.
Nhiều sáng kiến cải tiến kỹ thuật giúp tiết kiệm chi phí sản xuất.
Thư viện cộng đồng mở cửa miễn phí vào các buổi tối trong tuần.
Gia đình văn hóa tiêu biểu được biểu dương tại ngày hội đại đoàn kết.
Cựu chiến binh {name} mở xưởng mộc tạo việc làm cho người khuyết tật.
Ngân hàng Chính sách xã hội cho vay vốn ưu đãi để người dân làm ăn.
Chương trình mục tiêu quốc gia giảm nghèo bền vững được triển khai hiệu quả.
Thanh niên xung phong năm xưa nay vẫn tham gia công tác xã hội ở địa phương.
Mô hình camera giám sát góp phần kéo giảm tai nạn giao thông.
Các tuyến phố văn minh không có hàng rong lấn chiếm vỉa hè.
Lực lượng công an xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc.
Đội xung kích phòng chống thiên tai sẵn sàng ứng cứu khi có sự cố.
Người dân được hướng dẫn phân loại rác thải sinh hoạt tại hộ gia đình.
Mỗi hộ trồng ít nhất một cây xanh trước cửa nhà.
Những lớp học tình thương giúp trẻ em lang thang biết đọc, biết viết.
Anh {name} sáng chế máy gieo hạt giúp nông dân tiết kiệm công lao động.
Chị {name} mở lớp dạy nghề may miễn phí cho phụ nữ nghèo.
Nhiều mạnh thường quân đã chung tay ủng hộ kinh phí cho mô hình.
Sau ba năm, mô hình đã lan tỏa đến hơn {n} xã, phường trong tỉnh.
Trong mùa lũ, các thành viên túc trực ngày đêm giúp dân di dời tài sản.
Đội hình bác sĩ trẻ tình nguyện khám bệnh, cấp thuốc miễn phí cho bà con.
Người cao tuổi làm gương trong việc giữ gìn an ninh trật tự ở khu dân cư.
Ban quản lý chợ ký cam kết không buôn bán hàng giả, hàng kém chất lượng.
Chi bộ thôn lãnh đạo nhân dân hoàn thành các chỉ tiêu kinh tế - xã hội.
Ủy ban Mặt trận Tổ quốc xã giám sát việc thực hiện chính sách an sinh.
Các hộ dân ký cam kết không sử dụng túi ni lông khi đi chợ.
Đoàn viên thanh niên thu gom rác thải nhựa dọc bờ sông mỗi chủ nhật.
Chính quyền xã công khai các khoản thu chi trên loa truyền thanh.
Chị em phụ nữ trong ấp góp gạo nuôi quân, góp tiền mua áo phao cho trẻ em đi học.
Hội Khuyến học xã trao hàng trăm suất học bổng cho học sinh vượt khó học giỏi.
Ông {name} tự bỏ tiền sửa chữa đoạn đường xuống cấp trước cổng chợ.
Mô hình tổ tự quản bảo vệ môi trường được duy trì đều đặn suốt năm năm.
Cán bộ tư pháp xã hướng dẫn người dân làm thủ tục khai sinh, kết hôn ngay tại nhà văn hóa.
Những buổi sinh hoạt chuyên đề giúp hội viên hiểu rõ quyền và nghĩa vụ của công dân.
Trường mầm non xây dựng vườn rau sạch để cải thiện bữa ăn bán trú cho các cháu.
Các thầy cô giáo đến từng nhà vận động học sinh bỏ học quay lại lớp.
Lực lượng cảnh sát khu vực bám địa bàn, nắm chắc tình hình từng hộ dân.
Cán bộ địa chính đo đạc, cấp giấy chứng nhận quyền sử dụng đất cho bà con.
Trạm y tế phối hợp với cộng tác viên dân số tuyên truyền chăm sóc sức khỏe sinh sản.
Nhóm bạn trẻ lập quỹ mua xe lăn tặng người khuyết tật có hoàn cảnh khó khăn.
Hội người cao tuổi tổ chức mừng thọ cho các cụ tròn bảy mươi, tám mươi tuổi.
Người dân khu phố góp tiền lắp đèn năng lượng mặt trời chiếu sáng các con hẻm.
Ban chỉ huy quân sự xã huấn luyện dân quân sẵn sàng ứng phó khi có bão lũ.
Đoàn thanh niên phối hợp với nhà trường tổ chức hội trại truyền thống.
Xã đã hoàn thành việc bê tông hóa toàn bộ đường giao thông nội đồng.
Hộ gia đình ông {name} là tấm gương tiêu biểu trong phát triển kinh tế vườn.
Nhiều nông dân mạnh dạn chuyển đổi cây trồng, áp dụng khoa học kỹ thuật vào sản xuất.
Tổ hợp tác nuôi ong lấy mật giúp các hộ đồng bào dân tộc có thêm thu nhập.
Những bữa cơm miễn phí được phát tận tay người lao động nghèo mỗi trưa.
Người dân tự giác tháo dỡ lều quán, trả lại lòng đường, vỉa hè thông thoáng.
Chi hội cựu chiến binh nhận chăm sóc con đường tự quản dài hai cây số.
Anh {name} dành thời gian rảnh dạy võ miễn phí cho thanh thiếu niên trong xóm.
Chị {name} vận động các tiểu thương ở chợ sử dụng túi giấy thay cho túi ni lông.
Nhóm từ thiện mang áo ấm, chăn màn lên tặng học sinh vùng cao mùa giá rét.
Hàng chục ngôi nhà nhân ái được trao cho hộ nghèo dịp Tết Nguyên đán.
Các hộ chăn nuôi làm hầm biogas, giảm ô nhiễm môi trường ở khu dân cư.
Phong trào thi đua yêu nước được phát động rộng khắp các cơ quan, đơn vị.
Cơ quan đã giải quyết dứt điểm các đơn thư khiếu nại, tố cáo tồn đọng.
Người dân phản ánh qua ứng dụng trên điện thoại và được trả lời trong ngày.
Tổ dân phố tổ chức ngày hội đại đoàn kết toàn dân tộc vào tháng mười một.
Các thành viên câu lạc bộ thơ thường xuyên sáng tác về quê hương, đất nước.
Đội văn nghệ quần chúng biểu diễn phục vụ nhân dân vào các dịp lễ lớn.
Học sinh được tham gia các lớp kỹ năng sống và phòng chống xâm hại trẻ em.
Thanh niên tình nguyện hỗ trợ thí sinh và phụ huynh trong kỳ thi tốt nghiệp.
Đội tiếp sức mùa thi giúp thí sinh tìm chỗ trọ giá rẻ và phương tiện đi lại.
Ông {name} đã hơn hai mươi năm làm trưởng ấp, được bà con tin yêu.
Bà {name} đứng ra hòa giải nhiều vụ mâu thuẫn giữa các gia đình trong xóm.
Nhà văn hóa xã được trang bị tủ sách, máy tính và đường truyền internet.
Mỗi tháng, các hộ đóng góp một ít tiền để duy trì tổ thu gom rác.
Đường làng ngõ xóm sáng, xanh, sạch, đẹp nhờ ý thức của người dân.
Phụ nữ trong tổ hợp tác dệt thổ cẩm giữ gìn nghề truyền thống của dân tộc.
Sản phẩm mây tre đan của làng nghề được xuất khẩu sang nhiều nước.
Hợp tác xã dịch vụ nông nghiệp cung ứng giống, phân bón trả chậm cho xã viên.
Nông dân liên kết trồng lúa theo tiêu chuẩn an toàn, giảm sử dụng thuốc bảo vệ thực vật.
Mô hình cánh đồng lớn giúp giảm chi phí và tăng lợi nhuận cho bà con.
Người dân chủ động nạo vét cống rãnh, khơi thông dòng chảy trước mùa mưa.
Công an phường tổ chức cho người dân ký cam kết không tàng trữ, sử dụng pháo nổ.
Lực lượng chức năng tuyên truyền về an toàn phòng cháy trong các khu nhà trọ.
Chủ nhà trọ lắp bình chữa cháy và thang thoát hiểm cho người thuê trọ.
Các em học sinh nhặt được của rơi đã trả lại cho người mất.
Cô giáo trẻ xung phong lên điểm trường vùng cao dạy học suốt sáu năm.
Bác sĩ bệnh viện huyện thường xuyên về các xã khám bệnh miễn phí cho người nghèo.
Cán bộ ngân hàng chính sách hướng dẫn hộ nghèo sử dụng vốn vay đúng mục đích.
Người dân được tập huấn kỹ thuật nuôi tôm theo hướng an toàn sinh học.
Các thành viên tổ bay flycam hỗ trợ lực lượng chức năng tìm kiếm người mất tích.
Người dân góp công, góp của xây dựng cầu dân sinh qua kênh rạch.
Quỹ nghĩa tình đồng đội hỗ trợ hội viên cựu chiến binh gặp khó khăn.
Tuổi trẻ công an tổ chức hiến máu tình nguyện vào dịp kỷ niệm ngày truyền thống.
Đội thanh niên xung kích trực chốt kiểm soát dịch bệnh suốt nhiều tháng liền.
Chị {name} sáng lập nhóm thiện nguyện nấu cháo miễn phí cho bệnh nhân.
Những chuyến xe yêu thương chở sản phụ nghèo từ bệnh viện về nhà miễn phí.
Nhân viên y tế thôn bản đi từng nhà nhắc lịch tiêm chủng cho trẻ em.
Chương trình sữa học đường góp phần cải thiện tầm vóc trẻ em vùng khó khăn.
Hội Nông dân hướng dẫn bà con bán nông sản qua sàn thương mại điện tử.
Các hộ kinh doanh trên phố thực hiện thanh toán bằng mã QR.
Người dân được hướng dẫn cài đặt và sử dụng tài khoản định danh điện tử.
Chính quyền xã đối thoại trực tiếp với nhân dân mỗi quý một lần.
Đại biểu Quốc hội tiếp xúc cử tri, ghi nhận nhiều ý kiến tâm huyết của người dân.
Ủy ban Mặt trận Tổ quốc phường phát động phong trào xây dựng khu dân cư văn minh.
Ông bà, cha mẹ mẫu mực, con cháu thảo hiền là tiêu chí gia đình văn hóa.
Dòng họ khuyến học được công nhận nhờ có nhiều con cháu đỗ đạt thành tài.
Hội Chữ thập đỏ tổ chức sơ cấp cứu ban đầu cho học sinh và giáo viên.
Thanh niên trong xóm thay nhau đưa đón cụ già neo đơn đi khám bệnh.
Người dân ven sông góp tiền mua thuyền cứu hộ để dùng khi mùa lũ về.
Lực lượng bộ đội giúp dân thu hoạch lúa chạy lũ.
Chiến sĩ biên phòng tặng bò giống giúp đồng bào vùng biên thoát nghèo.
Cô giáo mầm non may áo ấm tặng các cháu có hoàn cảnh khó khăn.
Anh {name} từ bỏ công việc ở thành phố về quê làm nông nghiệp công nghệ cao.
Trang trại của anh tạo việc làm thường xuyên cho hơn {n} lao động địa phương.
Người dân tham gia bảo hiểm y tế hộ gia đình đạt tỉ lệ cao nhất huyện.
Phòng khám nhân đạo hoạt động nhờ sự tài trợ của các nhà hảo tâm.
Bếp ăn bán trú giúp học sinh vùng cao yên tâm đến trường.
Những lớp học xóa mù chữ buổi tối giúp phụ nữ dân tộc biết đọc, biết viết.
Các chi đoàn đảm nhận công trình thắp sáng đường quê.
Đội tình nguyện sửa chữa điện nước miễn phí cho gia đình chính sách.
Hội viên phụ nữ tham gia giám sát an toàn thực phẩm tại các bếp ăn tập thể.
Nhà trường phối hợp với công an tuyên truyền phòng chống ma túy học đường.
Mỗi tuần một ngày, cán bộ xã xuống thôn lắng nghe ý kiến người dân.
Tổ công tác đặc biệt hỗ trợ người dân làm thủ tục hành chính vào ngày nghỉ.
Kiều bào ở nước ngoài gửi tiền ủng hộ xây dựng trường học ở quê nhà.
Sinh viên tình nguyện mùa hè xanh xây dựng sân chơi cho thiếu nhi.
Các cháu thiếu nhi hào hứng tham gia ngày hội đọc sách tại thư viện xã.
Nhóm bạn trẻ làm phim ngắn tuyên truyền về an toàn giao thông.
Ông {name} tặng toàn bộ số tiền tiết kiệm cho quỹ khuyến học của xã.
Người dân thôn bản cam kết không đốt rừng làm rẫy, bảo vệ rừng đầu nguồn.
Tổ bảo vệ rừng cộng đồng tuần tra thường xuyên, ngăn chặn khai thác gỗ trái phép.
Bà con trồng cây phân tán dọc các tuyến đường liên xã.
Hội Cựu giáo chức dạy học miễn phí cho học sinh yếu kém vào dịp hè.
""".strip().splitlines()

TITLE_HEADS = [
    "Mô hình", "Gương sáng", "Tấm gương", "Sáng kiến", "Đội", "Câu lạc bộ", "Tổ", "Nhóm", "Phong trào",
    "Hành trình", "Chuyện về", "Người", "Ngôi nhà", "Bếp ăn", "Tuyến đường", "Chương trình", "Lớp học",
]
TITLE_CORES = [
    "shipper xanh", "cây ATM gạo", "đi chợ hộ", "nhà văn hóa sáng đèn", "tổ dân phố văn minh",
    "dân vận khéo", "hiến máu tình nguyện", "phòng cháy chữa cháy tình nguyện", "camera an ninh",
    "hòa giải ở cơ sở", "tiêm vắc xin lưu động", "cấp căn cước tại nhà", "thư viện xanh",
    "ngân hàng bò", "gian hàng không đồng", "xe ôtô không đồng", "bích họa làng quê", "đường hoa nông thôn mới",
    "khuyến học khuyến tài", "tiết kiệm xoay vòng", "chuyển đổi số", "giảm nghèo bền vững",
    "an toàn giao thông", "chống rác thải nhựa", "dạy bơi miễn phí", "nước sạch vùng hạn mặn",
    "cứu hộ mùa lũ", "cổng trường an toàn", "tủ thuốc nhân đạo", "lớp học tình thương",
]
TITLE_TAILS = ["", "", "của thanh niên", "của hội phụ nữ", "ở khu phố", "vùng cao", "tại xã đảo", "của cựu chiến binh",
               "trong mùa dịch", "của công an xã", "ở ấp", "nơi biên giới"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Xuân", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khoa", "Lan", "Linh", "Long",
         "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thủy", "Trang", "Tuấn", "Vân", "Yến"]
PROVINCES = ["Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Quảng Nam", "Bình Định", "Nghệ An",
             "Thanh Hóa", "Tiền Giang", "Đồng Tháp", "Yên Bái", "Hòa Bình", "Lào Cai", "Khánh Hòa", "Huế", "Gia Lai",
             "Đắk Lắk", "An Giang", "Cà Mau", "Quảng Ninh", "Thái Nguyên", "Bắc Ninh", "Nam Định"]
DISTRICT_WORDS = ["Đông", "Tây", "Nam", "Bắc", "Phú", "Tân", "Hòa", "Thạnh", "Long", "Mỹ", "Vĩnh", "Bình", "An", "Hưng",
                  "Lộc", "Xuân", "Sơn", "Thủy", "Quang", "Trung"]
KINDS = ["individual", "collective", "initiative"]
TOPICS = ["covid-19", "moi-truong", "an-sinh", "giao-duc", "y-te", "van-hoa", "an-ninh-trat-tu", "giao-thong",
          "chuyen-doi-so", "nong-thon-moi", "thanh-nien", "phu-nu", "kinh-te", "pccc", "hoa-giai", "dan-van"]
AWARDS = ["nguoi-tot-viec-tot", "guong-sang", "dan-van-kheo", "tap-the-lao-dong-xuat-sac", "bang-khen-thu-tuong",
          "chien-si-thi-dua"]
LEVELS = ["commune", "district", "province", "national"]

_WORD = re.compile(r"[^\W_]+")


class Zipf:
    """Sample indices 0..n-1 with probability proportional to 1/(rank+1)^s."""

    def __init__(self, n: int, s: float, rng: random.Random) -> None:
        weights = [1.0 / (i + 1) ** s for i in range(n)]
        self.cum = list(itertools.accumulate(weights))
        self.rng = rng

    def __call__(self) -> int:
        return bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])


def _units(rng: random.Random) -> list[tuple[int, list[int], str]]:
    """Return (unit id, [self, ancestors...], path names) for every commune."""
    out = []
    next_id = 1
    for p in PROVINCES:
        pid = next_id
        next_id += 1
        for d in range(6):
            did = next_id
            next_id += 1
            dname = f"Huyện {rng.choice(DISTRICT_WORDS)} {rng.choice(DISTRICT_WORDS)}"
            for c in range(8):
                cid = next_id
                next_id += 1
                cname = f"Xã {rng.choice(DISTRICT_WORDS)} {rng.choice(DISTRICT_WORDS)}"
                # One commune in four is the merger of a former one, whose id it carries too.
                former = [next_id + 100000] if rng.random() < 0.25 else []
                out.append((cid, [cid, did, pid] + former, f"{cname}, {dname}, tỉnh {p}"))
    return out


def generate(n: int, seed: int = 42) -> Iterator[dict[str, Any]]:
    """Yield ``n`` registry documents, identical for the same seed."""
    rng = random.Random(seed)
    sentences = [s.strip() for s in SENTENCES if s.strip()]
    rng.shuffle(sentences)
    pick_sentence = Zipf(len(sentences), 1.0, rng)
    vocab_counts: dict[str, int] = {}
    for s in sentences:
        for w in _WORD.findall(s.lower()):
            if "{" not in w:
                vocab_counts[w] = vocab_counts.get(w, 0) + 1
    vocab = sorted(vocab_counts, key=lambda w: -vocab_counts[w])
    pick_word = Zipf(len(vocab), 1.1, rng)
    units = _units(rng)
    pick_unit = Zipf(len(units), 0.7, rng)
    pick_topic = Zipf(len(TOPICS), 1.0, rng)
    start = datetime(2015, 1, 1)

    def person() -> str:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def sentence() -> str:
        s = sentences[pick_sentence()]
        s = s.replace("{name}", person()).replace("{n}", str(rng.randint(2, 500)))
        if rng.random() < 0.5:
            words = s.split(" ")
            for _ in range(rng.randint(1, 3)):
                words[rng.randrange(len(words))] = vocab[pick_word()]
            s = " ".join(words)
        return s

    for i in range(1, n + 1):
        head, core, tail = rng.choice(TITLE_HEADS), rng.choice(TITLE_CORES), rng.choice(TITLE_TAILS)
        title = " ".join(x for x in (head, core, tail) if x)
        if rng.random() < 0.3:
            title = f"{rng.choice(['Anh', 'Chị', 'Ông', 'Bà'])} {person()} và {core}"
        unit_id, unit_ids, unit_names = units[pick_unit()]
        target = int(min(600, max(80, rng.lognormvariate(5.3, 0.5))))
        story: list[str] = []
        count = 0
        while count < target:
            s = sentence()
            story.append(s)
            count += len(_WORD.findall(s))
        summary = sentence()
        year = 2015 + int(rng.random() ** 0.7 * 11)
        published = start + timedelta(days=(year - 2015) * 365 + rng.randrange(365), seconds=i)
        yield {
            "id": i,
            "ref": f"bench-{i}",
            "kind": KINDS[rng.randrange(3)],
            "title": title,
            "summary": summary,
            "body": " ".join(story),
            "year": year,
            "unit_ids": unit_ids,
            "unit_names": unit_names,
            "topics": sorted({TOPICS[pick_topic()] for _ in range(rng.randint(1, 3))}),
            "awards": [AWARDS[rng.randrange(len(AWARDS))]] if rng.random() < 0.4 else [],
            "levels": [LEVELS[min(3, int(rng.random() ** 2 * 4))]],
            "visibility": "public" if rng.random() < 0.95 else f"unit:{unit_id}",
            "published": published,
            "stamp": published.isoformat(),
        }


def main() -> None:
    """Print a few generated documents as JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    for doc in generate(args.n, args.seed):
        print(json.dumps(doc, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
