app-title = Migrant Reception and Orientation Office
language-name = English
logout = Sign out
signed-in-as = Signed in: { $name }

login-title = Sign in
login-name = Login
login-password = Password
login-submit = Sign in
login-wrong = Wrong login or password.
login-locked = Account locked after too many attempts. Try again in a quarter of an hour or ask a supervisor.
login-too-many = Too many attempts from this computer. Wait a few minutes.

password-title = Choose your password
password-explain = You signed in with a one-time password. Choose your own (at least 10 characters).
password-current = Current password
password-new = New password
password-repeat = Repeat the new password
password-submit = Save
password-mismatch = The two new passwords differ.
password-weak = Password too weak: { $reason }
password-wrong = The current password is wrong.

desk-title = Desk
desk-choose = Choose your desk
desk-number = Desk { $n }
desk-current = Ticket at the desk
desk-none = No ticket at the desk.
desk-call-next = Call next
desk-recall = Call again
desk-start = Start
desk-finish = Finish
desk-no-show = No-show
desk-transfer = Transfer to
desk-waiting = Waiting
desk-priority = Priority
desk-wait-min = { $m } min
desk-no-waiting = Nobody is waiting.
desk-scan = Read a ticket (barcode reader)
desk-open = Open
desk-shortcuts = Shortcuts: N call · R call again · S start · F finish · A no-show
desk-ticket = Ticket { $number }
desk-unknown-ticket = Unknown or unreadable ticket.
desk-issued = Taken at { $time }
desk-back = Back to the desk
desk-live-lost = Connection lost, reconnecting…

state-waiting = waiting
state-called = called
state-serving = being served
state-served = served
state-no_show = no-show
state-cancelled = cancelled
state-expired = expired

lobby-title = Lobby screen
lobby-now = Now calling
lobby-desk = Desk
lobby-last = Latest calls
lobby-waiting-first = Welcome. Take a ticket at the kiosk.
lobby-sound = Turn sound on
lobby-reconnecting = Reconnecting…

tech-title = Technician
tech-health = Service status
tech-tickets-today = Tickets today: { $n }

error-title = Refused
error-forbidden = Your role cannot open this page.
error-csrf = The form expired or is incomplete. Reload the page and try again.
error-back = Back

speech-call = Ticket { $number }, desk { $desk }.

queue-error = Refused: { $message }
queue-no_waiting_ticket = Nobody is waiting for this desk.
queue-desk_busy = The desk already has a ticket: finish it, mark it no-show or transfer it first.
queue-invalid_state = This ticket is no longer in a state that allows this.
queue-wrong_desk = This ticket is at another desk.
queue-transfer_to_same_service = The ticket is already in that service.
lobby-speech-unavailable = Spoken call unavailable.
