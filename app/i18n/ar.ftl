app-title = مكتب استقبال وتوجيه المهاجرين
language-name = العربية
logout = تسجيل الخروج
signed-in-as = متصل: { $name }

login-title = تسجيل الدخول
login-name = اسم المستخدم
login-password = كلمة المرور
login-submit = دخول
login-wrong = اسم المستخدم أو كلمة المرور غير صحيحة.
login-locked = الحساب مقفل بعد محاولات كثيرة. أعد المحاولة بعد ربع ساعة أو اطلب من المشرف.
login-too-many = محاولات كثيرة من هذا الجهاز. انتظر بضع دقائق.

password-title = اختر كلمة المرور
password-explain = دخلت بكلمة مرور تستعمل مرة واحدة. اختر كلمة مرورك (10 أحرف على الأقل).
password-current = كلمة المرور الحالية
password-new = كلمة المرور الجديدة
password-repeat = أعد كتابة كلمة المرور الجديدة
password-submit = حفظ
password-mismatch = كلمتا المرور الجديدتان غير متطابقتين.
password-weak = كلمة المرور ضعيفة: { $reason }
password-wrong = كلمة المرور الحالية غير صحيحة.

desk-title = الشباك
desk-choose = اختر شباكك
desk-number = الشباك { $n }
desk-current = التذكرة في الشباك
desk-none = لا توجد تذكرة في الشباك.
desk-call-next = نداء التالي
desk-recall = إعادة النداء
desk-start = بدء
desk-finish = إنهاء
desk-no-show = غائب
desk-transfer = تحويل إلى
desk-waiting = في الانتظار
desk-priority = أولوية
desk-wait-min = { $m } دقيقة
desk-no-waiting = لا أحد في الانتظار.
desk-scan = قراءة تذكرة (قارئ الرموز)
desk-open = فتح
desk-shortcuts = اختصارات: N نداء · R إعادة · S بدء · F إنهاء · A غائب
desk-ticket = التذكرة { $number }
desk-unknown-ticket = تذكرة غير معروفة أو غير مقروءة.
desk-issued = أخذت على الساعة { $time }
desk-back = العودة إلى الشباك
desk-live-lost = انقطع الاتصال، جار إعادة الاتصال…

state-waiting = في الانتظار
state-called = تم النداء
state-serving = قيد الخدمة
state-served = تمت الخدمة
state-no_show = غائب
state-cancelled = ملغاة
state-expired = منتهية

lobby-title = شاشة القاعة
lobby-now = التذكرة المنادى عليها
lobby-desk = الشباك
lobby-last = آخر النداءات
lobby-waiting-first = مرحبا. خذ تذكرة من الجهاز.
lobby-sound = تشغيل الصوت
lobby-reconnecting = جار إعادة الاتصال…

tech-title = التقني
tech-health = حالة الخدمة
tech-tickets-today = تذاكر اليوم: { $n }

error-title = مرفوض
error-forbidden = دورك لا يسمح بفتح هذه الصفحة.
error-csrf = انتهت صلاحية الاستمارة أو أنها ناقصة. أعد تحميل الصفحة وحاول من جديد.
error-back = رجوع

speech-call = التذكرة { $number }، الشباك { $desk }.

queue-error = مرفوض: { $message }
queue-no_waiting_ticket = لا أحد ينتظر هذا الشباك.
queue-desk_busy = لدى الشباك تذكرة: أنهها أو سجلها غائبة أو حولها أولا.
queue-invalid_state = حالة هذه التذكرة لا تسمح بذلك.
queue-wrong_desk = هذه التذكرة في شباك آخر.
queue-transfer_to_same_service = التذكرة في هذه الخدمة أصلا.
lobby-speech-unavailable = النداء الصوتي غير متوفر.
