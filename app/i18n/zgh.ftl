# Tamazight (Tifinagh). A first version, to be checked by the commune.
app-title = ⴰⵙⵏⵓⴱⴳ ⴷ ⵓⵙⵏⵎⴰⵍ ⵏ ⵉⵎⵉⴳⵔⴰⵏ
language-name = ⵜⴰⵎⴰⵣⵉⵖⵜ
logout = ⴼⴼⵖ
signed-in-as = ⵉⴽⵛⵎ: { $name }

login-title = ⴽⵛⵎ
login-name = ⵉⵙⵎ ⵏ ⵓⵙⵎⵔⵙ
login-password = ⴰⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ
login-submit = ⴽⵛⵎ
login-wrong = ⵉⵙⵎ ⵏⵖ ⴰⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ ⵓⵔ ⵉⵖⵓⴷⵏ.
login-locked = ⴰⵎⵉⴹⴰⵏ ⵉⵇⵇⵏ. ⴰⵍⵙ ⴷⴼⴼⵉⵔ ⵏ ⵜⵙⵔⴰⴳⵜ ⵏⵖ ⵙⵇⵙⴰ ⴰⵎⵙⴼⵔⴽ.
login-too-many = ⴰⵟⴰⵙ ⵏ ⵜⵉⵔⵎⵉⵜⵉⵏ. ⵔⴰⵊⵓ ⵛⵉⴽ.

password-title = ⴼⵔⵏ ⴰⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ
password-explain = ⵜⴽⵛⵎⴷ ⵙ ⵢⴰⵏ ⵓⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ ⵏ ⵢⴰⵜ ⵜⵉⴽⴽⵍⵜ. ⴼⵔⵏ ⵡⵉⵏⴽ (10 ⵏ ⵉⵙⴽⴽⵉⵍⵏ).
password-current = ⴰⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ ⵏ ⵖⵉⵍⴰ
password-new = ⴰⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ ⴰⵎⴰⵢⵏⵓ
password-repeat = ⴰⵍⵙ ⴰⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ ⴰⵎⴰⵢⵏⵓ
password-submit = ⵃⴹⵓ
password-mismatch = ⵉⵡⴰⵍⵏ ⵉⵎⴰⵢⵏⵓⵜⵏ ⵓⵔ ⵎⵙⴰⵙⴰⵏ.
password-weak = ⴰⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ ⵉⵔⵡⴰⵙ: { $reason }
password-wrong = ⴰⵡⴰⵍ ⵏ ⵓⵣⵔⴰⵢ ⵏ ⵖⵉⵍⴰ ⵓⵔ ⵉⵖⵓⴷⵏ.

desk-title = ⵜⴰⵙⵡⵉⵜ
desk-choose = ⴼⵔⵏ ⵜⴰⵙⵡⵉⵜ ⵏⵏⴽ
desk-number = ⵜⴰⵙⵡⵉⵜ { $n }
desk-current = ⵜⴰⵡⵔⵉⵇⵜ ⴳ ⵜⵙⵡⵉⵜ
desk-none = ⵓⵔ ⵍⵍⵉⵏ ⵜⵉⵡⵔⵉⵇⵉⵏ ⴳ ⵜⵙⵡⵉⵜ.
desk-call-next = ⵖⵔ ⵉ ⵓⵏⵏⴰ ⴷ ⵉⴹⴼⵕⵏ
desk-recall = ⴰⵍⵙ ⴰⵖⵔⵓⵔ
desk-start = ⵙⵙⵏⵜⵉ
desk-finish = ⵙⵎⴷ
desk-no-show = ⵓⵔ ⵉⵍⵍⵉ
desk-transfer = ⵙⵉⴼⴹ ⵖⵔ
desk-waiting = ⴳ ⵓⵔⴰⵊⵓ
desk-priority = ⵜⴰⵣⵡⴰⵔⵜ
desk-wait-min = { $m } ⵏ ⵜⵓⵙⴷⵉⴷⵉⵏ
desk-no-waiting = ⵓⵔ ⵢⵓⵔⵊⵉ ⵃⴷ.
desk-scan = ⵖⵔ ⵜⴰⵡⵔⵉⵇⵜ
desk-open = ⵕⵥⵎ
desk-shortcuts = N ⵖⵔ · R ⴰⵍⵙ · S ⵙⵙⵏⵜⵉ · F ⵙⵎⴷ · A ⵓⵔ ⵉⵍⵍⵉ
desk-ticket = ⵜⴰⵡⵔⵉⵇⵜ { $number }
desk-unknown-ticket = ⵜⴰⵡⵔⵉⵇⵜ ⵓⵔ ⵉⵜⵜⵓⵙⵙⵏⵏ.
desk-issued = ⵜⵜⵓⵡⵙⵉ ⴳ { $time }
desk-back = ⵓⵖⵓⵍ ⵖⵔ ⵜⵙⵡⵉⵜ
desk-live-lost = ⵉⴱⴱⵉ ⵓⵣⴷⴰⵢ…

state-waiting = ⴳ ⵓⵔⴰⵊⵓ
state-called = ⵉⵜⵜⵓⵖⵔⴰ
state-serving = ⴳ ⵜⵡⵓⵔⵉ
state-served = ⵉⵜⵜⵓⵙⵎⴷ
state-no_show = ⵓⵔ ⵉⵍⵍⵉ
state-cancelled = ⵉⵜⵜⵓⵙⵙⵉⵔⵎ
state-expired = ⵉⵜⵜⵓⵣⵔⵉ

lobby-title = ⴰⴳⴷⵉⴷ ⵏ ⵜⵣⵇⵇⴰ
lobby-now = ⵜⴰⵡⵔⵉⵇⵜ ⵏ ⵖⵉⵍⴰ
lobby-desk = ⵜⴰⵙⵡⵉⵜ
lobby-last = ⵉⵖⵔⵓⵔⵏ ⵉⴳⴳⵯⵔⴰⵏ
lobby-waiting-first = ⴰⵏⵙⵓⴼ. ⴰⵎⵥ ⵜⴰⵡⵔⵉⵇⵜ.
lobby-sound = ⵙⵙⴽⵔ ⵉⵎⵙⵍⵉ
lobby-reconnecting = ⴰⵍⵙ ⴰⵣⴷⴰⵢ…

tech-title = ⴰⵜⵉⵇⵏⵉ
tech-health = ⴰⴷⴷⴰⴷ ⵏ ⵜⵏⴰⴼⵓⵜ
tech-tickets-today = ⵜⵉⵡⵔⵉⵇⵉⵏ ⵏ ⵡⴰⵙⵙ: { $n }

error-title = ⵉⵜⵜⵓⵔⴼⴹ
error-forbidden = ⵜⴰⵖⴰⵔⴰ ⵏⵏⴽ ⵓⵔ ⵜⵙⵙⵓⵔⵓ ⴰⴷ ⵜⵕⵥⵎⴷ ⵜⴰⵙⵏⴰ ⴰ.
error-csrf = ⵜⴰⵍⵖⴰ ⵜⵣⵔⵉ. ⴰⵍⵙ ⴰⵙⵉⵍⵉ ⵏ ⵜⵙⵏⴰ.
error-back = ⵓⵖⵓⵍ

speech-call = Ticket { $number }, guichet { $desk }.

queue-error = ⵉⵜⵜⵓⵔⴼⴹ: { $message }
queue-no_waiting_ticket = ⵓⵔ ⵢⵓⵔⵊⵉ ⵃⴷ ⵜⴰⵙⵡⵉⵜ ⴰ.
queue-desk_busy = ⵜⴰⵙⵡⵉⵜ ⵖⵓⵔⵙ ⵜⴰⵡⵔⵉⵇⵜ: ⵙⵎⴷ ⵜⵜ ⵏⵖ ⵙⵉⴼⴹ ⵜⵜ.
queue-invalid_state = ⵜⴰⵡⵔⵉⵇⵜ ⴰ ⵓⵔ ⵜⵙⵙⵓⵔⵓ ⴰⵢⴰ.
queue-wrong_desk = ⵜⴰⵡⵔⵉⵇⵜ ⴰ ⵜⵍⵍⴰ ⴳ ⵜⵙⵡⵉⵜ ⵢⴰⴹⵏ.
queue-transfer_to_same_service = ⵜⴰⵡⵔⵉⵇⵜ ⵜⵍⵍⴰ ⴳ ⵜⵏⴰⴼⵓⵜ ⴰ.
lobby-speech-unavailable = ⴰⵖⵔⵓⵔ ⵙ ⵉⵎⵙⵍⵉ ⵓⵔ ⵉⵍⵍⵉ.
