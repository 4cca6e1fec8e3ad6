# Pages du bureau (français). Chaque clé existe dans ar.ftl, zgh.ftl et en.ftl (un test le vérifie).
app-title = Bureau d'accueil et d'orientation des migrants
language-name = Français
logout = Se déconnecter
signed-in-as = Connecté : { $name }

login-title = Connexion
login-name = Identifiant
login-password = Mot de passe
login-submit = Se connecter
login-wrong = Identifiant ou mot de passe incorrect.
login-locked = Compte bloqué après trop d'essais. Réessayez dans un quart d'heure ou demandez à un superviseur.
login-too-many = Trop d'essais depuis ce poste. Attendez quelques minutes.

password-title = Choisir votre mot de passe
password-explain = Vous vous êtes connecté avec un mot de passe à usage unique. Choisissez le vôtre (au moins 10 caractères).
password-current = Mot de passe actuel
password-new = Nouveau mot de passe
password-repeat = Répéter le nouveau mot de passe
password-submit = Enregistrer
password-mismatch = Les deux nouveaux mots de passe ne sont pas identiques.
password-weak = Mot de passe trop faible : { $reason }
password-wrong = Le mot de passe actuel est incorrect.

desk-title = Guichet
desk-choose = Choisissez votre guichet
desk-number = Guichet { $n }
desk-current = Ticket au guichet
desk-none = Aucun ticket au guichet.
desk-call-next = Appeler le suivant
desk-recall = Rappeler
desk-start = Commencer
desk-finish = Terminer
desk-no-show = Absent
desk-transfer = Transférer vers
desk-waiting = En attente
desk-priority = Prioritaire
desk-wait-min = { $m } min
desk-no-waiting = Personne n'attend.
desk-scan = Lire un ticket (lecteur de codes)
desk-open = Ouvrir
desk-shortcuts = Raccourcis : N appeler · R rappeler · S commencer · F terminer · A absent
desk-ticket = Ticket { $number }
desk-unknown-ticket = Ticket inconnu ou illisible.
desk-issued = Pris à { $time }
desk-back = Retour au guichet
desk-live-lost = Connexion perdue, reconnexion…

state-waiting = en attente
state-called = appelé
state-serving = en cours
state-served = servi
state-no_show = absent
state-cancelled = annulé
state-expired = expiré

lobby-title = Écran d'accueil
lobby-now = Ticket appelé
lobby-desk = Guichet
lobby-last = Derniers appels
lobby-waiting-first = Bienvenue. Prenez un ticket à la borne.
lobby-sound = Activer le son
lobby-reconnecting = Reconnexion…

tech-title = Technicien
tech-health = État du service
tech-tickets-today = Tickets aujourd'hui : { $n }

error-title = Refusé
error-forbidden = Votre rôle ne permet pas d'ouvrir cette page.
error-csrf = Formulaire expiré ou incomplet. Rechargez la page et recommencez.
error-back = Retour

speech-call = Ticket { $number }, guichet { $desk }.

queue-error = Refusé : { $message }
queue-no_waiting_ticket = Personne n'attend pour ce guichet.
queue-desk_busy = Le guichet a déjà un ticket : terminez-le, marquez-le absent ou transférez-le d'abord.
queue-invalid_state = Ce ticket n'est plus dans un état qui permet cela.
queue-wrong_desk = Ce ticket est à un autre guichet.
queue-transfer_to_same_service = Le ticket est déjà dans ce service.
lobby-speech-unavailable = Annonce vocale indisponible.
