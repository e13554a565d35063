### Les messages de Helpline en français (fr), au vouvoiement.
###
### Typographie : une espace insécable (U+00A0) précède « : », « ; », « ! », « ? » et « » »,
### et suit « « » ; un test le vérifie. Les variables sont les mêmes que dans la version anglaise
### (en-US/main.ftl), qui décrit ce qu'elles contiennent.

-helpline = Helpline

## Éléments communs.

common-reason = Raison : { $reason }
common-internal_error = Une erreur s'est produite de notre côté. Veuillez réessayer dans un instant ; si le problème persiste, prévenez les administrateurs du serveur.
common-topic_id = n° { $id }

## Durées.

duration-seconds =
    { $count ->
        [one] { $count } seconde
       *[other] { $count } secondes
    }
duration-minutes =
    { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    }
duration-hours =
    { $count ->
        [one] { $count } heure
       *[other] { $count } heures
    }
duration-days =
    { $count ->
        [one] { $count } jour
       *[other] { $count } jours
    }
duration-pair = { $larger } et { $smaller }

## Refus : pourquoi l'action n'a pas eu lieu, et que faire à la place.

refusal-not_staff = Seul le staff peut faire cela.
refusal-not_opener = Seul le membre qui a ouvert ce ticket peut faire cela.
refusal-not_opener_or_staff = Seuls le membre qui a ouvert ce ticket et le staff peuvent faire cela.
refusal-not_claimer = Ce ticket est pris en charge par { $claimer } : seul ce membre ou un administrateur peut faire cela. Demandez-lui de libérer le ticket ou de vous le transférer.
refusal-system_only = Cette action est réservée à { -helpline }, qui s'en charge automatiquement : vous n'avez rien à faire.
refusal-disabled = Les tickets sont désactivés sur ce serveur. Demandez à un administrateur de les réactiver.
refusal-blacklisted = Vous ne pouvez pas ouvrir de ticket sur ce serveur. Si vous pensez que c'est une erreur, contactez ses administrateurs.
refusal-already_rated = Vous avez déjà noté ce ticket. Merci !
refusal-not_rated = Notez d'abord le ticket, puis ajoutez votre commentaire.
refusal-awaiting_approval = Ce ticket attend encore la validation du staff : il doit d'abord être accepté.
refusal-not_awaiting_approval = Cette demande de ticket a déjà été traitée : elle n'attend plus de validation.
refusal-already_claimed = Ce ticket est déjà pris en charge par { $claimer }.
refusal-not_claimed = Personne n'a pris ce ticket en charge : il n'y a rien à libérer.
refusal-already_closed = Ce ticket est déjà fermé. Le staff peut le rouvrir si besoin.
refusal-already_deleted = Ce ticket a été supprimé : plus aucune action n'est possible.
refusal-was_refused = Cette demande de ticket a été refusée et ne peut plus être modifiée. Ouvrez un nouveau ticket si vous avez encore besoin d'aide.
refusal-not_closed = Ce ticket est encore ouvert. Fermez-le d'abord : seul un ticket fermé peut être rouvert ou supprimé.
refusal-close_request_pending = Une demande de fermeture attend déjà la réponse du membre qui a ouvert ce ticket.
refusal-no_close_request = Aucune demande de fermeture n'est en attente sur ce ticket : elle a peut-être déjà reçu une réponse.
refusal-not_inactive = Ce ticket a eu de l'activité récemment : il n'a donc pas été fermé automatiquement.
refusal-target_not_staff = { $user } ne fait pas partie du staff : impossible de lui transférer ce ticket. Choisissez un membre qui a un rôle staff.
refusal-already_in_ticket = Ce membre ou ce rôle a déjà accès à ce ticket.
refusal-not_in_ticket = Ce membre ou ce rôle n'a pas été ajouté à ce ticket : il n'y a rien à retirer.
refusal-cannot_remove_opener = Le membre qui a ouvert ce ticket ne peut pas en être retiré. Fermez plutôt le ticket.
refusal-cannot_remove_staff = Les membres du staff et les administrateurs ne peuvent pas être retirés d'un ticket.
refusal-protected_role = { $role } est un rôle staff ou administrateur : il ne peut pas être retiré d'un ticket.
refusal-everyone_role = `@everyone` ne peut pas être ajouté à un ticket privé. Ajoutez plutôt des membres ou des rôles précis.
refusal-roles_not_in_threads = Ce ticket est un fil privé, qui accepte des membres mais pas des rôles. Ajoutez plutôt les membres un par un.
refusal-same_topic = Ce ticket a déjà ce sujet. Choisissez-en un autre.
refusal-unknown_topic = Ce sujet n'existe plus. Choisissez-en un autre, ou demandez à un administrateur de mettre le panel à jour.
refusal-unknown_panel = Ce panel n'existe plus. Demandez à un administrateur d'en publier un nouveau.
refusal-topic_not_on_panel = Ce sujet n'est pas proposé sur ce panel. Choisissez l'un des sujets du panel.
refusal-topic_required = Veuillez choisir un sujet pour votre ticket.
refusal-reason_required = Ce panel demande une raison : expliquez en quelques mots pourquoi vous ouvrez un ticket.
refusal-open_limit =
    { $count ->
        [0]
            { $limit ->
                [one] Vous avez déjà sur ce panel un ticket en attente de validation. Patientez jusqu'à ce que le staff l'ait traité avant d'en ouvrir un autre.
               *[other] Vous avez déjà sur ce panel { $limit } tickets en attente de validation. Patientez jusqu'à ce que le staff les ait traités avant d'en ouvrir un autre.
            }
       *[other]
            { $limit ->
                [one] Vous avez déjà un ticket ouvert sur ce panel : { $tickets }. Fermez-le avant d'en ouvrir un nouveau.
               *[other] Vous avez déjà { $limit } tickets ouverts sur ce panel : { $tickets }. Fermez-en un avant d'en ouvrir un nouveau.
            }
    }
refusal-cooldown = Vous venez d'ouvrir un ticket ici. Veuillez patienter { $wait } avant d'en ouvrir un autre.
refusal-rename_too_soon = Discord ne permet de renommer un salon que deux fois en 10 minutes. Réessayez dans { $wait }.

## Erreurs de validation.

invalid-too_long = Le champ **{ $field }** est trop long : { $actual } caractères, pour { $max } au maximum. Raccourcissez-le puis réessayez.
invalid-empty = Le champ **{ $field }** ne peut pas être vide. Veuillez le remplir.
invalid-out_of_range = Le champ **{ $field }** doit être compris entre { $min } et { $max } (valeur indiquée : { $actual }). Indiquez une valeur dans cet intervalle.
invalid-out_of_range_characters = Le champ **{ $field }** doit contenir entre { $min } et { $max } caractères, mais il en contient { $actual }.
invalid-out_of_range_seconds = Le champ **{ $field }** doit être compris entre { $min } et { $max } secondes (valeur indiquée : { $actual }). Indiquez une valeur dans cet intervalle.
invalid-out_of_range_hours = Le champ **{ $field }** doit être compris entre { $min } et { $max } heures (valeur indiquée : { $actual }). Indiquez une valeur dans cet intervalle.
invalid-out_of_range_days = Le champ **{ $field }** doit être compris entre { $min } et { $max } jours (valeur indiquée : { $actual }). Indiquez une valeur dans cet intervalle.
invalid-too_many = Limite dépassée pour les { $what } : { $actual }, pour { $max } au maximum. Retirez-en { $excess } puis réessayez.
invalid-no_topics = Un panel à menu déroulant doit proposer au moins un sujet. Ajoutez-lui un sujet, ou utilisez plutôt un panel à bouton.
invalid-duplicate_name = Le nom « { $name } » est utilisé deux fois (champ **{ $field }**). Donnez un nom différent à chacun.
invalid-already_present = Ce rôle figure déjà dans la liste.
invalid-everyone_role = @everyone ne peut pas être un rôle du staff : tous les membres en feraient partie. Choisissez un rôle donné à votre équipe de support.
invalid-support_hours = Écrivez les horaires du support sous forme de jours et d'une plage horaire, par exemple lun-ven 09:00-18:00, et le fuseau horaire sous forme de décalage par rapport à UTC, par exemple +01:00 ou UTC-5.
invalid-unknown_topic = Il n'existe aucun sujet n° { $topic }. Vérifiez la liste des sujets puis réessayez.
invalid-unknown_panel = Il n'existe aucun panel n° { $panel }. Vérifiez la liste des panels puis réessayez.
invalid-template = Le champ **{ $field }** contient une erreur. { $error }

## Erreurs de modèle.

template-unknown_placeholder = `${ $name }` n'est pas une variable reconnue. Variables disponibles : { $valid }. Écrivez `$$` pour obtenir un simple signe dollar.
template-unclosed = Une variable ouverte avec `{ "${" }` n'est jamais refermée. Ajoutez le `{ "}" }` manquant, ou écrivez `$$` pour obtenir un simple signe dollar.
template-too_long = Ce modèle est trop long : { $actual } caractères, pour { $max } au maximum. Raccourcissez-le puis réessayez.

## Noms des champs, tels que les administrateurs les voient.

field-topic_name = Nom du sujet
field-topic_description = Description du sujet
field-topic_emoji = Émoji du sujet
field-auto_response = Réponse automatique
field-button_label = Texte du bouton
field-select_placeholder = Texte indicatif du menu déroulant
field-panel_title = Titre du panel
field-panel_description = Description du panel
field-modal_title = Titre du formulaire
field-question_label = Question
field-question_placeholder = Texte indicatif de la question
field-question_choice = Choix de la question
field-question_length = Longueur de la réponse
field-channel_name = Nom du salon
field-welcome_template = Message d'accueil
field-name_template = Modèle de nom des tickets
field-reason = Raison
field-answer = Réponse
field-open_limit = Limite de tickets ouverts
field-cooldown = Délai entre deux tickets
field-auto_close_hours = Délai de fermeture automatique
field-close_request_hours = Délai de réponse à une demande de fermeture
field-tag_name = Nom du tag
field-tag_content = Contenu du tag
field-rating = Note
field-comment = Commentaire
field-retention_days = Durée de conservation des transcriptions
field-panel_name = Nom du panel

## Éléments limités en nombre, au pluriel (précédés de « les »).

countable-select_options = options du menu déroulant
countable-panel_buttons = boutons du panel
countable-form_questions = questions du formulaire
countable-question_choices = choix de cette question
countable-roles_per_command = rôles d'une même commande
countable-staff_roles = rôles staff
countable-ping_roles = rôles à mentionner
countable-topics = sujets
countable-tags = tags
countable-blacklist = entrées de liste noire
countable-panels = panels

## Annonces publiées dans un ticket ou envoyées à son auteur.

notice-approved = { $by } a accepté votre demande : votre ticket est maintenant ouvert.
notice-refused = { $by } a refusé votre demande de ticket.
notice-refused_anonymous = Votre demande de ticket a été refusée.
notice-claimed = { $by } a pris en charge ce ticket et va s'en occuper.
notice-unclaimed = { $by } ne prend plus en charge ce ticket : n'importe quel membre du staff peut désormais s'en occuper.
notice-transferred = { $by } a transféré ce ticket de { $from } à { $to }.
notice-transferred_unclaimed = { $by } a confié ce ticket à { $to }.
notice-close_requested = { $by } propose de fermer ce ticket. Si votre problème est résolu, acceptez la demande ; sinon, refusez-la et expliquez ce qu'il vous faut encore.
notice-close_request_declined = { $by } a refusé la demande de fermeture : le ticket reste ouvert.
notice-closed = { $by } a fermé ce ticket.
notice-closed_automatically = Ce ticket a été fermé automatiquement.
notice-closed_inactive = Ce ticket a été fermé automatiquement après { $duration } sans activité.
notice-closed_opener_left = Ce ticket a été fermé automatiquement, car le membre qui l'avait ouvert a quitté le serveur.
notice-closed_open_failed = Ce ticket a été abandonné, car son salon n'a pas pu être créé.
notice-closed_channel_deleted = Ce ticket a été fermé, car son salon a été supprimé.
notice-closed_request_unanswered = Ce ticket a été fermé car personne n'a répondu à la demande de fermeture pendant { $duration }.
notice-auto_close_warning = Personne n'a écrit ici depuis un moment : ce ticket sera fermé automatiquement { $when } si personne n'envoie de message.
notice-opener_left = { $user } a quitté le serveur. Le ticket reste ouvert : le staff peut le fermer une fois traité.
notice-reopened = { $by } a rouvert ce ticket.
notice-member_added = { $by } a ajouté { $member } à ce ticket.
notice-member_removed = { $by } a retiré { $member } de ce ticket.
notice-role_added = { $by } a ajouté le rôle { $role } à ce ticket.
notice-role_removed = { $by } a retiré le rôle { $role } de ce ticket.
notice-renamed = { $by } a renommé ce ticket en **{ $name }**.
notice-moved = { $by } a déplacé ce ticket vers le sujet **{ $topic }**.
notice-opened_for = { $by } a ouvert ce ticket pour vous. Vous pouvez le lire et y répondre sur le serveur.
notice-outside_hours = Notre staff est absent pour le moment : il revient { $when }. Votre ticket est conservé et il y répondra à son retour.

## Raison de fermeture, seule (journal, panel web).

close_reason-none_given = Aucune raison indiquée
close_reason-inactive = Aucune activité depuis { $duration }
close_reason-opener_left = Le membre qui avait ouvert le ticket a quitté le serveur
close_reason-open_failed = Le salon du ticket n'a pas pu être créé
close_reason-channel_deleted = Le salon du ticket a été supprimé
close_reason-close_request_unanswered = Personne n'a répondu à la demande de fermeture pendant { $duration }

## Titres des entrées du salon de logs.

log-requested = Demande de ticket
log-opened = Ticket ouvert
log-refused = Demande de ticket refusée
log-claimed = Ticket pris en charge
log-unclaimed = Ticket libéré
log-transferred = Ticket transféré
log-closed = Ticket fermé
log-reopened = Ticket rouvert
log-deleted = Ticket supprimé
log-close_requested = Fermeture demandée
log-member_added = Membre ajouté
log-member_removed = Membre retiré
log-role_added = Rôle ajouté
log-role_removed = Rôle retiré
log-renamed = Ticket renommé
log-moved = Ticket déplacé

## États d'un ticket.

state-requested = En attente de validation
state-open = Ouvert
state-claimed = Pris en charge
state-closed = Fermé
state-deleted = Supprimé
state-refused = Refusé

## Actions sur un ticket (boutons, historique).

action-open = Ouvrir
action-approve = Accepter
action-refuse = Refuser
action-claim = Prendre en charge
action-unclaim = Libérer
action-transfer = Transférer
action-close = Fermer
action-request_close = Demander la fermeture
action-accept_close_request = Accepter la fermeture
action-decline_close_request = Refuser la fermeture
action-add_member = Ajouter un membre
action-remove_member = Retirer un membre
action-add_role = Ajouter un rôle
action-remove_role = Retirer un rôle
action-rename = Renommer
action-move = Changer de sujet
action-reopen = Rouvrir
action-delete = Supprimer
action-auto_close = Fermeture automatique
action-timer = Minuterie
action-rate = Noter
action-comment = Commenter
action-opener_left = Départ de l'auteur
action-channel_created = Salon créé
action-abandon = Abandonner
action-channel_deleted = Salon supprimé
action-refresh_access = Mettre à jour les accès

## Permissions Discord, avec les noms de l'interface française de Discord.

permission-missing =
    { $count ->
        [one] Il me manque une permission nécessaire sur ce serveur : { $permissions }.
       *[other] Il me manque des permissions nécessaires sur ce serveur : { $permissions }.
    } Demandez à un administrateur de { $count ->
        [one] l'accorder
       *[other] les accorder
    } à mon rôle dans Paramètres du serveur → Rôles, puis réessayez.
permission-unknown = Permission inconnue (bit { $bit })
permission-create_invite = Créer une invitation
permission-kick_members = Expulser des membres
permission-ban_members = Bannir des membres
permission-administrator = Administrateur
permission-manage_channels = Gérer les salons
permission-manage_guild = Gérer le serveur
permission-add_reactions = Ajouter des réactions
permission-view_audit_log = Voir les logs du serveur
permission-priority_speaker = Voix prioritaire
permission-stream = Vidéo
permission-view_channel = Voir les salons
permission-send_messages = Envoyer des messages
permission-send_tts_messages = Envoyer des messages de synthèse vocale
permission-manage_messages = Gérer les messages
permission-embed_links = Intégrer des liens
permission-attach_files = Joindre des fichiers
permission-read_message_history = Voir les anciens messages
permission-mention_everyone = Mentionner `@everyone`, `@here` et tous les rôles
permission-use_external_emojis = Utiliser des émojis externes
permission-view_guild_insights = Voir les analyses du serveur
permission-connect = Se connecter
permission-speak = Parler
permission-mute_members = Rendre les membres muets
permission-deafen_members = Mettre en sourdine des membres
permission-move_members = Déplacer des membres
permission-use_vad = Utiliser la Détection de la voix
permission-change_nickname = Changer de pseudo
permission-manage_nicknames = Gérer les pseudos
permission-manage_roles = Gérer les rôles
permission-manage_webhooks = Gérer les webhooks
permission-manage_guild_expressions = Gérer les expressions
permission-use_slash_commands = Utiliser les commandes de l'application
permission-request_to_speak = Demande de prise de parole
permission-manage_events = Gérer les événements
permission-manage_threads = Gérer les fils
permission-create_public_threads = Créer des fils publics
permission-create_private_threads = Créer des fils privés
permission-use_external_stickers = Utiliser des autocollants externes
permission-send_messages_in_threads = Envoyer des messages dans les fils
permission-use_embedded_activities = Utiliser les Activités
permission-moderate_members = Exclure temporairement des membres
permission-view_creator_monetization_analytics = Voir les analyses des abonnements au serveur
permission-use_soundboard = Utiliser le soundboard
permission-create_guild_expressions = Créer des expressions
permission-create_events = Créer des événements
permission-use_external_sounds = Utiliser des sons externes
permission-send_voice_messages = Envoyer des messages vocaux
permission-send_polls = Créer des sondages
permission-use_external_apps = Utiliser des applications externes
permission-pin_messages = Épingler des messages
permission-bypass_slowmode = Ignorer le mode lent

## Les textes propres au bot : boutons, réponses, noms de salons, commandes et transcriptions.

ui-setup-done = { -helpline } est prêt. Les membres ouvrent leurs tickets dans { $panel } ; les événements des tickets sont consignés dans { $log }.
ui-setup-already = { -helpline } est déjà installé ici : le panel se trouve dans { $panel }. Lancez `/setup` en activant l'option `forcer` pour le réinstaller.
ui-setup-not_admin = Seuls les membres disposant de la permission Gérer le serveur peuvent installer { -helpline }.
ui-not_admin = Seuls les membres ayant la permission Gérer le serveur peuvent configurer { -helpline }.
ui-staff-added = { $roles } peuvent désormais répondre aux tickets. Rôles du staff : { $all }.
ui-staff-already = { $roles } répondent déjà aux tickets : rien n'a changé.
ui-staff-removed = { $roles } ne répondent plus aux tickets. Rôles du staff : { $all }.
ui-staff-topic_added = { $roles } peuvent désormais répondre aux tickets **{ $topic }**. Staff de { $topic } : { $all }.
ui-staff-topic_removed = { $roles } ne répondent plus aux tickets **{ $topic }**. Staff de { $topic } : { $all }.
ui-staff-not_staff = { $roles } ne sont pas des rôles du staff : rien n'a changé.
ui-staff-list = Rôles du staff : { $roles }.
ui-staff-none = Aucun rôle du staff pour l'instant : seuls les admins peuvent répondre aux tickets. Ajoutez-en un avec /staff ajouter.
ui-staff-mention_on = Les nouveaux tickets mentionneront les rôles du staff.
ui-staff-mention_off = Les nouveaux tickets ne mentionneront plus les rôles du staff.
ui-staff-foreign_role = { $role } n'est pas un rôle de ce serveur (ou il a été supprimé) : rien n'a changé.
ui-not_set_up = { -helpline } n'est pas encore installé sur ce serveur : un admin peut lancer /installer.
ui-ticket-no_topics = Ce serveur n'a pas de sujets : lancez /ticket sans en préciser.
ui-ticket-unknown_topic = Aucun sujet ne s'appelle « { $topic } ». Sujets : { $topics }.
ui-topic-added = Sujet **{ $name }** ajouté : les membres le choisissent sur le panel de { $channel }.
ui-topic-removed = Sujet **{ $name }** retiré ; ses tickets sont conservés.
ui-topic-list = Sujets : { $topics }.
ui-topic-none = Aucun sujet pour l'instant : ajoutez-en un avec /sujet ajouter.
ui-helpline-confirm_disable = Désactiver les tickets ? Les membres ne pourront plus en ouvrir jusqu'à ce qu'un admin lance /helpline activer ; les tickets ouverts restent tels quels.
ui-helpline-confirm_reset = Oublier la configuration de { -helpline } sur ce serveur ? Les panels, rôles du staff et paramètres sont effacés et le message du panel est supprimé ; les tickets et leurs transcriptions sont conservés pendant leur durée de conservation. C'est irréversible.
ui-helpline-button_disable = Désactiver les tickets
ui-helpline-button_reset = Effacer la configuration
ui-helpline-disabled = Les tickets sont désactivés. Lancez /helpline activer pour les réactiver.
ui-helpline-enabled = Les tickets sont de nouveau activés.
ui-helpline-reset = La configuration est effacée. Lancez /installer pour recommencer.
ui-settings-title = Paramètres de { -helpline }
ui-settings-saved = Paramètres enregistrés.
ui-settings-nothing = Indiquez au moins un paramètre à modifier, ou affichez-les tous avec /parametres afficher.
ui-settings-language = Langue
ui-settings-claim_announcement = Prise en charge annoncée dans le ticket
ui-settings-dm_on_close = Transcription envoyée à l'auteur à la fermeture
ui-settings-admin_close_deletes = La fermeture par un admin supprime le salon
ui-settings-opener_leaves = Quand l'auteur quitte le serveur
ui-settings-auto_close = Fermeture automatique après
ui-settings-close_request = Les demandes de fermeture expirent après
ui-settings-claim_restricts = La prise en charge réserve le ticket
ui-settings-support_hours = Horaires du support
ui-settings-always = Toujours
ui-settings-retention = Transcriptions conservées
ui-settings-approval = Validation
ui-settings-open_limit = Tickets ouverts par membre
ui-settings-cooldown = Attente entre deux tickets
ui-settings-staff = Rôles du staff
ui-settings-log = Salon de logs
ui-settings-on = oui
ui-settings-off = non
ui-settings-none = aucun
ui-settings-days = { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    }
ui-setup-failed = L'installation n'a pas pu aller à son terme : tout ce qu'elle avait créé a été supprimé. Vérifiez les permissions du bot, puis relancez `/setup`.
ui-setup-public_log = Tous les membres peuvent lire { $channel }, or les transcriptions sont privées : choisissez un salon que seul le staff voit, ou laissez l'option de côté et { -helpline } en créera un.
ui-setup-wrong_channel = Impossible d'utiliser { $channel } ici : choisissez un salon textuel pour le panel et les logs, et une catégorie pour la catégorie.
ui-category_name = Tickets
ui-panel_channel_name = ouvrir-un-ticket
ui-log_channel_name = logs-tickets
ui-panel-title = Besoin d'aide ?
ui-panel-description = Cliquez sur le bouton ci-dessous pour ouvrir un ticket privé avec notre staff.
ui-button-open = Ouvrir un ticket
ui-button-claim = Prendre en charge
ui-button-unclaim = Libérer
ui-button-close = Fermer
ui-button-close_now = Fermer maintenant
ui-button-close_with_reason = Fermer avec une raison
ui-button-reopen = Rouvrir
ui-button-accept_close = Accepter et fermer
ui-button-decline_close = Garder ouvert
ui-close_request_sent = La demande de fermeture a été envoyée à l'auteur du ticket. Il se ferme quand l'auteur accepte, ou de lui-même sans réponse à temps.
ui-close_request_declined = Le ticket reste ouvert. Dites au staff ce dont vous avez encore besoin.
ui-button-delete = Supprimer
ui-ticket_opened = Votre ticket est ouvert : { $channel }
ui-requested = Votre demande a été transmise au staff : vous recevrez un message dès qu’elle sera acceptée.
ui-claimed = Vous avez pris ce ticket en charge.
ui-close-confirm = Fermer ce ticket ? La conversation sera conservée dans une transcription.
ui-close-modal_title = Fermer le ticket { $number }
ui-close-reason_label = Raison (facultative)
ui-closed = Le ticket est fermé.
ui-reopened = Le ticket est de nouveau ouvert.
ui-approved = Le ticket a été accepté : { $channel }
ui-refused = La demande de ticket a été refusée.
ui-deleted = Le ticket va être supprimé.
ui-welcome-title = Ticket { $number }
ui-default-welcome = $author, merci d'avoir ouvert un ticket : le staff va vous répondre sous peu. $staff
ui-unknown_ticket = Ce ticket n'existe plus.
ui-in_progress = Cette action est déjà en cours : patientez un instant.
ui-conflict = Quelqu'un a modifié ce ticket au même moment. Veuillez réessayer.
ui-failed = Discord a refusé une partie de cette action. Vérifiez les permissions du bot ; le détail figure dans ses logs.
ui-unclaimed = Vous avez libéré ce ticket.
ui-stale = Ce bouton ou cette commande n'est plus utilisé. Servez-vous du panel ou du message de ticket le plus récent.
ui-open_delayed = Discord tarde à créer le salon de votre ticket : il le sera sous peu, et vous y serez mentionné.
ui-delayed = C'est fait. Discord est lent en ce moment : le reste est relancé automatiquement.
ui-log-field-opener = Ouvert par
ui-log-field-actor = Par
ui-log-field-channel = Salon
ui-log-field-reason = Raison
ui-log-field-member = Membre
ui-log-field-role = Rôle
ui-log-field-name = Nouveau nom
ui-log-field-topic = Sujet
ui-log-field-transcript = Transcription
ui-log-transcript_link = Lire la transcription
ui-transcript-title = Ticket { $number } — { $guild }
ui-transcript-summary = Ouvert par { $opener }. { $closed }
ui-transcript-edited = modifié
ui-transcript-deleted = supprimé
ui-transcript-previous = Versions précédentes
ui-transcript-not_kept = le fichier n'a pas été conservé (trop volumineux ou indisponible)
ui-transcript-left_out = le fichier a été retiré de cette copie pour respecter la limite d'envoi de Discord (la transcription complète le conserve)
ui-transcript-left_out_summary =
    { $count ->
        [one] { $count } pièce jointe a été retirée de ce fichier pour respecter la limite d'envoi de Discord. La transcription complète, avec toutes les pièces jointes, est conservée.
       *[other] { $count } pièces jointes ont été retirées de ce fichier pour respecter la limite d'envoi de Discord. La transcription complète, avec toutes les pièces jointes, est conservée.
    }
ui-transcript-empty = Aucun message n'a été écrit dans ce ticket.
ui-transcript-staff_note = Note du staff
ui-note-kept = Note gardée avec ce ticket. Le staff la lit dans la transcription ; le membre ne la voit jamais.
ui-note-none = Ce ticket n'a encore aucune note. Ajoutez-en une avec la commande /note et son texte.
ui-note-list = { $count ->
    [one] Une note, visible du staff seul :
   *[other] { $count } notes, visibles du staff seul (la plus récente d'abord) :
}
ui-transcript-message = Transcription du ticket { $number }
ui-transcript-field-server = Serveur
ui-transcript-field-number = Ticket
ui-transcript-field-topic = Sujet
ui-transcript-field-opener = Ouvert par
ui-transcript-field-opened_for = Ouvert pour ce membre par
ui-transcript-field-open_reason = Motif d'ouverture
ui-transcript-field-claimer = Pris en charge par
ui-transcript-field-closer = Fermé par
ui-transcript-field-close_reason = Motif de fermeture
ui-transcript-field-opened = Ouvert le
ui-transcript-field-closed = Fermé le
ui-transcript-field-participants = Participants
ui-transcript-unknown = inconnu
# The first line of a direct message about a ticket, naming it and its server.
ui-dm-about = À propos de votre ticket { $number } sur { $guild } :
cmd-setup-name = installer
cmd-setup-description = Créer la catégorie des tickets, le salon du panel et le salon des logs
cmd-setup-panel_channel-name = salon_panel
cmd-setup-panel_channel-description = Un salon textuel existant pour le panel
cmd-setup-log_channel-name = salon_logs
cmd-setup-log_channel-description = Un salon textuel existant pour les logs des tickets
cmd-setup-category-name = categorie
cmd-setup-category-description = Une catégorie existante pour les nouveaux tickets
cmd-setup-force-name = forcer
cmd-setup-force-description = Réinstaller par-dessus une installation existante
cmd-setup-staff_role-name = role_staff
cmd-setup-staff_role-description = Un rôle dont les membres répondent aux tickets
cmd-staff-name = staff
cmd-staff-description = Choisir les rôles dont les membres répondent aux tickets
cmd-staff-add-name = ajouter
cmd-staff-add-description = Ajouter jusqu'à cinq rôles au staff
cmd-staff-remove-name = retirer
cmd-staff-remove-description = Retirer jusqu'à cinq rôles du staff
cmd-staff-list-name = liste
cmd-staff-list-description = Afficher les rôles du staff
cmd-staff-mention-name = mention
cmd-staff-mention-description = Choisir si les nouveaux tickets mentionnent les rôles du staff
cmd-staff-mention-enabled-name = active
cmd-staff-mention-enabled-description = Mentionner les rôles du staff dans les nouveaux tickets
cmd-staff-role1-name = role1
cmd-staff-role1-description = Un rôle
cmd-staff-role2-name = role2
cmd-staff-role2-description = Un autre rôle
cmd-staff-role3-name = role3
cmd-staff-role3-description = Un autre rôle
cmd-staff-role4-name = role4
cmd-staff-role4-description = Un autre rôle
cmd-staff-role5-name = role5
cmd-staff-role5-description = Un autre rôle
cmd-staff-topic-name = sujet
cmd-staff-topic-description = Seulement pour les tickets de ce sujet (par son nom)
cmd-settings-name = parametres
cmd-settings-description = Voir et modifier le fonctionnement de Helpline sur ce serveur
cmd-settings-show-name = afficher
cmd-settings-show-description = Afficher tous les paramètres
cmd-settings-set-name = modifier
cmd-settings-set-description = Modifier un ou plusieurs paramètres
cmd-settings-language-name = langue
cmd-settings-language-description = La langue du serveur pour tout ce que Helpline publie
cmd-settings-claim_announcement-name = annonce_prise_en_charge
cmd-settings-claim_announcement-description = Annoncer dans le ticket sa prise en charge par le staff
cmd-settings-dm_on_close-name = mp_a_la_fermeture
cmd-settings-dm_on_close-description = Envoyer la transcription à l'auteur quand son ticket est fermé
cmd-settings-admin_close_deletes-name = fermeture_admin_supprime
cmd-settings-admin_close_deletes-description = Quand un admin ferme un ticket, supprimer aussitôt son salon
cmd-settings-opener_leaves-name = depart_auteur
cmd-settings-opener_leaves-description = Ce que devient un ticket dont l'auteur quitte le serveur
cmd-settings-retention_days-name = conservation_jours
cmd-settings-retention_days-description = Combien de jours les transcriptions sont conservées
cmd-settings-auto_close_hours-name = fermeture_auto_heures
cmd-settings-auto_close_hours-description = Fermer les tickets après ce nombre d'heures sans message (0 pour désactiver)
cmd-settings-close_request_hours-name = delai_demande_fermeture
cmd-settings-close_request_hours-description = Fermer un ticket si son auteur ne répond pas à une demande de fermeture pendant ce nombre d'heures
cmd-settings-claim_restricts-name = prise_en_charge_exclusive
cmd-settings-claim_restricts-description = Seuls la personne qui l'a pris en charge et les admins agissent sur un ticket pris en charge
cmd-settings-support_hours-name = horaires_support
cmd-settings-support_hours-description = Quand le staff répond, par exemple lun-ven 09:00-18:00 (off : toujours)
cmd-settings-timezone-name = fuseau_horaire
cmd-settings-timezone-description = Le décalage des horaires par rapport à UTC, par exemple +01:00
cmd-settings-approval-name = validation
cmd-settings-approval-description = Si le staff doit accepter un ticket avant son ouverture
cmd-settings-open_limit-name = limite_tickets
cmd-settings-open_limit-description = Combien de tickets un membre peut avoir ouverts à la fois
cmd-settings-cooldown-name = delai
cmd-settings-cooldown-description = Secondes d'attente entre deux tickets d'un même membre
cmd-choice-english = Anglais
cmd-choice-french = Français
cmd-choice-close = Fermer le ticket
cmd-choice-keep = Le garder ouvert et prévenir le staff
cmd-choice-automatic = Automatique
cmd-choice-manual = Le staff accepte chaque ticket
cmd-ticket-name = ticket
cmd-ticket-description = Ouvrir un ticket privé avec le staff
cmd-note-name = note
cmd-note-description = Garder une note avec ce ticket, pour le staff seul (sans texte : lire ses notes)
cmd-note-text-name = texte
cmd-note-text-description = La note ; le membre ne la voit jamais
cmd-tickets-name = tickets
cmd-tickets-description = Vos tickets sur tous les serveurs, avec leurs transcriptions
cmd-ticket-topic-name = sujet
cmd-ticket-topic-description = De quoi il s'agit
cmd-ticket-reason-name = raison
cmd-ticket-reason-description = Dites au staff ce dont vous avez besoin
cmd-helpline-name = helpline
cmd-helpline-description = Désactiver ou réactiver Helpline sur ce serveur, ou oublier sa configuration
cmd-helpline-disable-name = desactiver
cmd-helpline-disable-description = Empêcher l'ouverture de tickets (les tickets ouverts restent)
cmd-helpline-enable-name = activer
cmd-helpline-enable-description = Permettre de nouveau l'ouverture de tickets
cmd-helpline-reset-name = reinitialiser
cmd-helpline-reset-description = Oublier la configuration (les transcriptions sont conservées)
cmd-topic-name = sujet
cmd-topic-description = Les sujets parmi lesquels les membres choisissent en ouvrant un ticket
cmd-topic-add-name = ajouter
cmd-topic-add-description = Ajouter un sujet au panel
cmd-topic-remove-name = retirer
cmd-topic-remove-description = Retirer un sujet (ses tickets sont conservés)
cmd-topic-list-name = liste
cmd-topic-list-description = Afficher les sujets
cmd-topic-name-name = nom
cmd-topic-name-description = Le nom du sujet, tel que les membres le voient
cmd-topic-description-name = description
cmd-topic-description-description = Une courte ligne sous le nom
cmd-topic-category-name = categorie
cmd-topic-category-description = La catégorie où vont les tickets de ce sujet
cmd-topic-auto_response-name = reponse_auto
cmd-topic-auto_response-description = Un message publié dans chaque nouveau ticket de ce sujet

ui-panel-unknown = Aucun panel ne s'appelle « { $panel } ». Panels : { $panels }.
ui-panel-none = Aucun panel pour l'instant : créez-en un avec /panel create.
ui-panel-line = **{ $name }** dans { $channel } : { $style } ; sujets : { $topics } ; { $limit } ouvert(s) par membre, { $cooldown } entre deux ; validation : { $approval } ; raison : { $reason } ; tickets : { $mode }.
ui-panel-cannot_read = Je ne peux pas lire ce message : vérifiez son identifiant, qu'il se trouve dans { $channel } et que je peux lire l'historique de ce salon.
ui-panel-empty_message = Ce message n'a ni texte ni embed à copier dans un panel.
ui-panel-created = Panel **{ $name }** publié dans { $channel }. Ajoutez-y des sujets avec /topic add (option panel « { $name } »).
ui-panel-cannot_post = Je ne peux pas publier dans { $channel } : donnez-moi Voir le salon, Envoyer des messages et Intégrer des liens. Rien n'a été enregistré.
ui-panel-edited = Panel **{ $name }** enregistré ; son message montre la modification.
ui-panel-message_gone = Panel **{ $name }** enregistré, mais son message a disparu : publiez-le de nouveau avec /panel post.
ui-panel-message_stale = Panel **{ $name }** enregistré, mais Discord n'a pas mis à jour son message pour l'instant : lancez /panel post pour afficher la modification.
ui-panel-deleted = Panel **{ $name }** supprimé avec son message ; ses tickets sont conservés.
ui-panel-posted = Panel **{ $name }** publié dans { $channel } ; son message précédent est retiré.
ui-panel-use_title = Utiliser comme panel de tickets
ui-panel-use_name = Nom du panel (un panel existant prend ce message)
ui-panel-default_name = support
ui-config_conflict = Un autre admin a modifié la configuration au même moment. Veuillez réessayer.

cmd-panel-name = panel
cmd-panel-description = Les messages sous lesquels les membres ouvrent des tickets
cmd-panel-create-name = creer
cmd-panel-create-description = Créer un panel et le publier
cmd-panel-edit-name = modifier
cmd-panel-edit-description = Modifier un panel (son message publié suit)
cmd-panel-delete-name = supprimer
cmd-panel-delete-description = Supprimer un panel et son message (ses tickets sont conservés)
cmd-panel-list-name = liste
cmd-panel-list-description = Voir les panels et leurs réglages
cmd-panel-post-name = publier
cmd-panel-post-description = Publier de nouveau un panel, ici ou dans un autre salon
cmd-panel-name-name = nom
cmd-panel-name-description = Le nom du panel, pour les commandes qui le modifient
cmd-panel-rename-name = nom
cmd-panel-rename-description = Un nouveau nom pour le panel
cmd-panel-panel-name = panel
cmd-panel-panel-description = Le nom du panel
cmd-panel-channel-name = salon
cmd-panel-channel-description = Où le publier (ce salon par défaut)
cmd-panel-post-channel-name = salon
cmd-panel-post-channel-description = Où le publier (là où il est par défaut)
cmd-panel-style-name = style
cmd-panel-style-description = Des boutons, ou un menu de sélection des sujets
cmd-panel-topics-name = sujets
cmd-panel-topics-description = Les sujets proposés, séparés par des virgules, dans l'ordre
cmd-panel-message_id-name = id_message
cmd-panel-message_id-description = Reprendre le texte et les embeds de ce message de son salon
cmd-panel-title-name = titre
cmd-panel-title-description = Le titre de l'embed
cmd-panel-description-name = description
cmd-panel-description-description = Le texte de l'embed
cmd-panel-button_label-name = libelle_bouton
cmd-panel-button_label-description = Le libellé du bouton quand il n'a pas de sujet
cmd-panel-placeholder-name = indication
cmd-panel-placeholder-description = Le texte indicatif du menu de sélection
cmd-panel-reason-name = raison
cmd-panel-reason-description = Si les membres doivent donner une raison
cmd-panel-auto_close_hours-name = fermeture_auto_heures
cmd-panel-auto_close_hours-description = Fermer les tickets de ce panel après ces heures sans message (0 : jamais, -1 : réglage du serveur)
cmd-panel-mode-name = mode
cmd-panel-mode-description = Ouvrir les tickets en salons privés, ou en fils privés du salon du panel
cmd-settings-mode-name = mode
cmd-settings-mode-description = Ouvrir les tickets de chaque panel en salons privés, ou en fils privés de son salon
cmd-topic-panel-name = panel
cmd-topic-panel-description = Le panel qui le propose (le premier par défaut)
cmd-use_panel-name = Utiliser comme panel
cmd-choice-buttons = Boutons
cmd-choice-select = Menu de sélection
cmd-choice-channel = Salon privé
cmd-choice-thread = Fil privé dans le salon du panel
cmd-choice-optional = Facultative
cmd-choice-required = Obligatoire
ui-settings-reason = Raison à l'ouverture
ui-settings-mode = Tickets en
ui-settings-category = Catégorie des nouveaux tickets
cmd-settings-log_channel-name = salon_journal
cmd-settings-log_channel-description = Où vont les événements et transcriptions (lisible par le staff seul)
cmd-settings-default_category-name = categorie_par_defaut
cmd-settings-default_category-description = La catégorie des tickets dont le sujet n'en indique aucune
ui-open-reason_label = Pourquoi ouvrez-vous ce ticket ?
ui-questions-title = Formulaire de { $topic }
ui-questions-label = Question { $number }
ui-questions-help = 1re ligne : la question. Puis genre : court/long/liste, choix : A, B, obligatoire : oui/non
ui-questions-bad_line = Question { $number } : je ne comprends pas « { $line } ». Écrivez genre : court, long ou liste ; choix : A, B ; obligatoire : oui ou non ; longueur : 5-200 ; indication : texte. Rien n'a été enregistré.
ui-questions-saved = { $count ->
    [0] Le formulaire de **{ $topic }** est retiré : ses tickets s'ouvrent aussitôt.
    [one] **{ $topic }** pose maintenant une question à l'ouverture d'un ticket.
   *[other] **{ $topic }** pose maintenant { $count } questions à l'ouverture d'un ticket.
}
cmd-topic-questions-name = questions
cmd-topic-questions-description = Modifier le formulaire rempli à l'ouverture d'un ticket de ce sujet
ui-topic-edited = Sujet **{ $name }** enregistré ; le panel de { $channel } le montre.
cmd-topic-edit-name = modifier
cmd-topic-edit-description = Modifier un sujet (le panel suit)
cmd-topic-rename-name = renommer
cmd-topic-rename-description = Un nouveau nom pour le sujet
cmd-topic-emoji-name = emoji
cmd-topic-emoji-description = Un emoji affiché avec le sujet
cmd-topic-welcome-name = bienvenue
cmd-topic-welcome-description = Le message de bienvenue de ce sujet ($author, $staff, $reason, $topic…)
cmd-topic-name_template-name = modele_nom
cmd-topic-name_template-description = Le nom des salons de ticket de ce sujet ($counter, $author, $topic, $year…)
cmd-topic-ping_role-name = role_notifie
cmd-topic-ping_role-description = Un rôle notifié à l'ouverture d'un ticket de ce sujet
cmd-topic-no_ping-name = sans_notification
cmd-topic-no_ping-description = Ne plus notifier de rôle pour ce sujet
ui-topic-choose_remove = Quel sujet voulez-vous retirer ? Ses tickets sont conservés.
ui-category_unusable = Je ne peux pas créer de salons de ticket dans { $category } : donnez-moi Voir le salon et Gérer les salons, puis réessayez. Rien n'a été enregistré.
ui-panel-threads_not_text = Un ticket ne peut être un fil privé que dans un salon textuel, et { $channel } n'en est pas un : publiez d'abord le panel dans un salon textuel. Rien n'a été enregistré.
ui-panel-threads_missing = Pour ouvrir les tickets de ce panel en fils privés de { $channel }, il me faut { $permissions } dans ce salon. Rien n'a été enregistré.
ui-threads_full = Ce serveur a atteint la limite Discord de 1 000 fils actifs, aucun fil de ticket ne peut s'ouvrir : le staff doit d'abord fermer des tickets. Rien n'a été créé.
ui-tickets-title = Vos tickets
ui-tickets-none = Vous n'avez encore aucun ticket. Ouvrez-en un depuis le panel d'un serveur ou avec /ticket.
ui-tickets-line = **{ $guild }** · ticket { $number }{ $topic } : { $state }, ouvert { $opened }
ui-tickets-transcript = [transcription dans vos MP]({ $link })
ui-channels_full = Ce serveur a atteint la limite Discord de 500 salons, aucun salon de ticket ne peut s'ouvrir : le staff doit d'abord supprimer d'anciens tickets ou salons. Rien n'a été créé.
ui-not_in_ticket = Cette commande s'utilise dans le salon d'un ticket : lancez-la là-bas.
cmd-close-name = fermer
cmd-close-description = Fermer ce ticket (son auteur ou le staff)
cmd-close-reason-name = raison
cmd-close-reason-description = Pourquoi il est fermé (gardé dans la transcription et le journal)
cmd-close_request-name = demande-fermeture
cmd-close_request-description = Proposer à l'auteur de fermer ce ticket (staff)
cmd-close_request-reason-name = raison
cmd-close_request-reason-description = Pourquoi vous proposez de fermer (montré à l'auteur)
cmd-claim-name = prendre
cmd-claim-description = Prendre ce ticket : c'est vous qui répondez (staff)
cmd-unclaim-name = rendre
cmd-unclaim-description = Rendre ce ticket à tout le staff
ui-transferred = Le ticket est désormais entre les mains du membre du staff choisi.
ui-member_added = Cette personne voit désormais ce ticket et peut y écrire.
ui-member_removed = Cette personne ne voit plus ce ticket.
ui-role_added = Les membres de ce rôle voient désormais ce ticket et peuvent y écrire.
ui-role_removed = Les membres de ce rôle ne voient plus ce ticket (sauf s'ils sont du staff).
ui-renamed = Le salon du ticket est renommé.
ui-moved = Le ticket est dans son nouveau sujet ; son staff a été prévenu.
ui-feedback-ask = Comment l'avons-nous traité ? Notez ce ticket d'une étoile (mal) à cinq (très bien).
ui-feedback-rated = Votre note : { $rating }/5, merci !
ui-feedback-add_comment = Ajouter un commentaire
ui-feedback-form_title = Votre commentaire
ui-feedback-form_label = Qu'est-ce qui a bien marché, que pourrions-nous améliorer ?
ui-stats-title = Statistiques des tickets
ui-stats-title_member = Statistiques des tickets de { $member }
ui-stats-now = En ce moment
ui-stats-now_value =
    Ouverts : { $open }
    En attente d'approbation : { $pending }
ui-stats-now_member = Pris en charge et ouverts : { $open }
ui-stats-week = 7 derniers jours
ui-stats-month = 30 derniers jours
ui-stats-all = Depuis le début
ui-stats-period =
    Créés : { $created }
    Fermés : { $closed }
    Première réponse : { $first }
    Résolution : { $resolution }
    Note : { $rating }
ui-stats-period_member =
    Pris en charge : { $created }
    Fermés : { $closed }
    Première réponse : { $first }
    Résolution : { $resolution }
    Note : { $rating }
ui-stats-spread = { $median } (médiane), { $p90 } (90 %)
ui-stats-none = aucune pour l'instant
ui-blacklist-added = { $target } ne peut plus ouvrir de tickets sur ce serveur.
ui-blacklist-removed = { $target } peut de nouveau ouvrir des tickets.
ui-blacklist-not_listed = { $target } n'est pas sur la liste noire.
ui-blacklist-one = Indiquez un membre ou un rôle, l'un des deux.
ui-blacklist-staff = Le staff et les administrateurs ne peuvent pas être mis sur liste noire.
ui-blacklist-empty = Personne n'est sur liste noire sur ce serveur.
ui-blacklist-list =
    { $count ->
        [one] Une entrée sur la liste noire :
       *[other] { $count } entrées sur la liste noire :
    }
ui-tag-saved = Tag **{ $name }** enregistré. Le staff le publie avec /tag use.
ui-tag-removed = Tag **{ $name }** supprimé.
ui-tag-unknown = Il n'y a pas de tag **{ $name }**. Tags de ce serveur : { $tags }.
ui-tag-none = Ce serveur n'a pas encore de tags. Les admins en ajoutent avec /tag add.
ui-tag-list =
    { $count ->
        [one] Un tag :
       *[other] { $count } tags :
    }
ui-opened_for = Le ticket de { $member } est ouvert : { $channel }. Cette personne a été prévenue par message privé.
ui-not_a_member = Cette personne n'est pas membre de ce serveur.
ui-not_everyone = Impossible d'ajouter @everyone à un ticket : il deviendrait public.
cmd-transfer-name = transférer
cmd-transfer-description = Confier ce ticket à un autre membre du staff (staff)
cmd-transfer-member-name = membre
cmd-transfer-member-description = Le membre du staff qui le reprend
cmd-add-name = ajouter
cmd-add-description = Permettre à quelqu'un de plus de voir ce ticket et d'y écrire (staff)
cmd-add-member-name = membre
cmd-add-member-description = Ajouter un membre à ce ticket
cmd-add-member-member-name = membre
cmd-add-member-member-description = Qui ajouter
cmd-add-role-name = rôle
cmd-add-role-description = Ajouter les membres d'un rôle à ce ticket
cmd-add-role-role-name = rôle
cmd-add-role-role-description = Quel rôle ajouter
cmd-remove-name = retirer
cmd-remove-description = Retirer quelqu'un de ce ticket (staff)
cmd-remove-member-name = membre
cmd-remove-member-description = Retirer un membre de ce ticket
cmd-remove-member-member-name = membre
cmd-remove-member-member-description = Qui retirer
cmd-remove-role-name = rôle
cmd-remove-role-description = Retirer les membres d'un rôle de ce ticket
cmd-remove-role-role-name = rôle
cmd-remove-role-role-description = Quel rôle retirer
cmd-rename-name = renommer
cmd-rename-description = Donner un nouveau nom au salon de ce ticket (staff)
cmd-rename-name-name = nom
cmd-rename-name-description = Le nouveau nom (jusqu'à 100 caractères)
cmd-reopen-name = rouvrir
cmd-reopen-description = Rouvrir ce ticket fermé
cmd-stats-name = stats
cmd-stats-description = Chiffres des tickets du serveur ou d'un membre du staff (staff)
cmd-stats-member-name = membre
cmd-stats-member-description = Seulement les tickets de ce membre du staff
cmd-blacklist-name = liste-noire
cmd-blacklist-description = Empêcher des membres ou des rôles d'ouvrir des tickets
cmd-blacklist-add-name = ajouter
cmd-blacklist-add-description = Mettre un membre ou un rôle sur liste noire
cmd-blacklist-remove-name = retirer
cmd-blacklist-remove-description = Retirer un membre ou un rôle de la liste noire
cmd-blacklist-list-name = liste
cmd-blacklist-list-description = Qui est sur liste noire
cmd-blacklist-user-name = membre
cmd-blacklist-user-description = Le membre
cmd-blacklist-role-name = role
cmd-blacklist-role-description = Le rôle (tous ceux qui l'ont)
cmd-blacklist-reason-name = raison
cmd-blacklist-reason-description = Pourquoi (gardé pour le staff, pas montré au membre)
cmd-tag-name = tag
cmd-tag-description = Réponses enregistrées : les admins les gèrent, le staff les publie dans les tickets
cmd-tag-add-name = ajouter
cmd-tag-add-description = Enregistrer une nouvelle réponse (admins)
cmd-tag-edit-name = modifier
cmd-tag-edit-description = Modifier une réponse enregistrée (admins)
cmd-tag-remove-name = supprimer
cmd-tag-remove-description = Supprimer une réponse enregistrée (admins)
cmd-tag-list-name = liste
cmd-tag-list-description = Lister les réponses enregistrées (staff)
cmd-tag-use-name = utiliser
cmd-tag-use-description = Publier ici une réponse enregistrée (staff)
cmd-tag-name-name = nom
cmd-tag-name-description = Le nom du tag
cmd-tag-content-name = contenu
cmd-tag-content-description = Ce qui est publié (jusqu'à 2000 caractères)
cmd-open_for-name = ouvrir-pour
cmd-open_for-description = Ouvrir un ticket pour un membre (staff)
cmd-open_for-member-name = membre
cmd-open_for-member-description = Le membre pour qui est le ticket
cmd-open_for-topic-name = sujet
cmd-open_for-topic-description = Le sujet du ticket
cmd-open_for-reason-name = raison
cmd-open_for-reason-description = Pourquoi vous l'ouvrez (affiché dans le ticket)
cmd-move-name = deplacer
cmd-move-description = Déplacer ce ticket vers un autre sujet (staff)
cmd-move-topic-name = sujet
cmd-move-topic-description = Le nouveau sujet

## The web panel.
panel-navigation = Principale
panel-my_tickets = Mes tickets
panel-servers = Serveurs
panel-sign_in = Se connecter avec Discord
panel-sign_out = Se déconnecter
panel-home_intro = Vos tickets sur tous les serveurs, avec leurs transcriptions, et les serveurs que vous gérez.
panel-not_found_title = Introuvable
panel-not_found = Cette page n’existe pas, ou vous n’y avez pas accès.
panel-failed_title = Un problème est survenu
panel-failed = Un problème est survenu de notre côté. Si cela se reproduit, donnez cette référence aux administrateurs du serveur : { $reference }.
panel-sign_in_failed = Échec de la connexion
panel-sign_in_expired = Cette connexion a pris trop de temps ou n’a pas été lancée depuis ce navigateur. Veuillez vous reconnecter.
panel-sign_in_denied = Vous avez annulé la connexion sur Discord.
panel-form_expired_title = Formulaire expiré
panel-form_expired = Ce formulaire a expiré ou ne vient pas de cette page. Rechargez la page et réessayez.
panel-no_tickets = Aucun ticket à afficher.
panel-older = Tickets plus anciens
panel-column_number = Ticket
panel-column_server = Serveur
panel-column_state = État
panel-column_topic = Sujet
panel-column_opener = Ouvert par
panel-column_opened = Ouvert le
panel-column_closed = Fermé le
panel-ticket_title = Ticket { $number } sur { $server }
panel-history = Historique
panel-transcript = Transcription
panel-event_created = Demandé
panel-event_opened = Ouvert
panel-event_claimed = Pris en charge
panel-event_closed = Fermé
panel-event_reopened = Rouvert
panel-event_deleted = Supprimé
panel-no_servers = Vous ne gérez aucun serveur où Helpline est installé.
panel-access_link = Accès au panel
panel-access_title = Accès au panel de { $server }
panel-access_intro = Les personnes listées ici gèrent { $server } dans ce panel comme ses admins : ses tickets, ses statistiques et ses paramètres. Seuls les admins du serveur (Gérer le serveur) accordent et retirent cet accès.
panel-access_none = Personne n’a encore reçu d’accès. Les admins l’ont sans qu’on le leur accorde.
panel-access_column_user = Utilisateur
panel-access_column_granted_by = Accordé par
panel-access_column_granted_at = Accordé le
panel-access_column_actions = Actions
panel-access_user_id = Utilisateur { $id }
panel-access_revoke = Retirer
panel-access_revoke_label = Retirer l’accès de { $user }
panel-access_grant_title = Accorder l’accès à un membre
panel-access_user = Identifiant de l’utilisateur
panel-access_user_hint = Un membre de ce serveur. Dans Discord, avec le mode développeur activé, faites un clic droit sur lui et choisissez « Copier l’identifiant de l’utilisateur ».
panel-access_grant = Accorder l’accès
panel-access_not_an_id = Saisissez un identifiant d’utilisateur : un nombre comme 123456789012345678. Rien n’a été changé.
panel-access_not_member = L’utilisateur { $id } n’est pas membre de ce serveur, et seuls ses membres peuvent recevoir l’accès. Rien n’a été changé.
panel-access_already = { $user } a déjà l’accès. Rien n’a été changé.
panel-access_not_granted = { $user } n’avait pas d’accès à retirer. Rien n’a été changé.
panel-access_granted = { $user } a maintenant accès à ce serveur dans le panel.
panel-access_revoked = { $user } n’a plus l’accès.
panel-settings_link = Paramètres
panel-settings_title = Paramètres de { $server }
panel-settings_server = Tout le serveur
panel-settings_panels = Panels
panel-settings_panel = Panel « { $name } » dans le salon { $channel }
panel-settings_panel_unnamed = Panel du salon { $channel }
panel-settings_channel = salon { $id }
panel-settings_channel_hint = Ces deux-là se modifient avec /settings set dans Discord.
panel-settings_staff_hint = Les membres des rôles cochés répondent aux tickets. Au plus 5 rôles ajoutés et 5 retirés en un enregistrement, comme avec /staff.
panel-settings_no_roles = Ce serveur n’a aucun rôle en dehors de @everyone, qui ne peut pas être staff.
panel-settings_deleted_role = Rôle supprimé ({ $id })
panel-settings_mention_staff = Rôles du staff mentionnés sur les nouveaux tickets
panel-settings_timezone = Fuseau horaire des horaires du support
panel-settings_hours_hint = Des jours et une plage horaire, comme lun-ven 09:00-18:00. Vide : toujours.
panel-settings_timezone_hint = Un décalage par rapport à UTC, comme +01:00 ou UTC-5.
panel-settings_in_hours = En heures.
panel-settings_in_hours_off = En heures ; 0 le désactive.
panel-settings_panel_auto_close_hint = En heures. Vide : le réglage du serveur ; 0 : jamais sur ce panel.
panel-settings_in_seconds = En secondes.
panel-settings_in_days = En jours.
panel-settings_save = Enregistrer
panel-settings_saved = Paramètres enregistrés.
panel-settings_conflict = Ces paramètres ont été modifiés entre-temps par quelqu’un d’autre. Rien n’a été enregistré : les voici tels qu’ils sont maintenant. Refaites vos changements, puis enregistrez.
panel-settings_invalid = Rien n’a été enregistré. Corrigez les champs signalés ci-dessous, puis enregistrez de nouveau.
panel-settings_not_a_number = Saisissez un nombre entier, comme 3.
panel-templates_link = Modèles
panel-templates_title = Modèles de { $server }
panel-templates_intro = Le message d’accueil publié dans chaque nouveau ticket, et le nom donné à son salon ou à son fil. Un sujet peut avoir les siens ; laissés vides, ses tickets suivent ceux du serveur.
panel-templates_placeholders = Variables
panel-templates_placeholders_hint = Chacune est remplacée par sa valeur à l’ouverture d’un ticket ; elle s’écrit aussi { "${" }author{ "}" }. Écrivez $$ pour obtenir un simple signe dollar.
panel-templates_author = Le membre qui a ouvert le ticket : une mention dans le message d’accueil, son nom dans un nom de salon.
panel-templates_staff = Les rôles du staff du ticket : des mentions dans le message d’accueil, « staff » dans un nom de salon.
panel-templates_topic = Le nom du sujet (vide sans sujet).
panel-templates_reason = La raison donnée par le membre (vide s’il n’en a pas donné).
panel-templates_counter = Le numéro du ticket sur ce serveur, sur au moins 4 chiffres : 0042.
panel-templates_year = L’année de son ouverture (UTC) : 2026.
panel-templates_month = Le mois de son ouverture, sur 2 chiffres : 03.
panel-templates_day = Le jour du mois de son ouverture, sur 2 chiffres : 07.
panel-templates_topic_section = Sujet « { $name } »
panel-templates_topic_hint = Vide : le modèle du serveur.
panel-templates_preview = Aperçu
panel-templates_preview_hint = Les aperçus montrent le ticket 42, ouvert aujourd’hui par vous avec la raison « { $reason } », dans le sujet « { $topic } » pour les modèles du serveur.
panel-templates_sample_reason = Ma commande n’est pas arrivée
panel-templates_sample_topic = Commandes
panel-templates_show_preview = Aperçu sans enregistrer
panel-templates_previewed = Voici l’aperçu de ce que vous avez saisi. Rien n’est enregistré tant que vous n’enregistrez pas.
panel-templates_saved = Modèles enregistrés.
panel-templates_conflict = Ces modèles ont été modifiés entre-temps par quelqu’un d’autre. Rien n’a été enregistré : les voici tels qu’ils sont maintenant. Refaites vos changements, puis enregistrez.
panel-guild_title = Tickets de { $server }
panel-filter_any = Tous
panel-filter_opener = Auteur (identifiant)
panel-filter_staff = Équipe (identifiant)
panel-filter_from = Ouvert à partir du
panel-filter_to = Ouvert jusqu’au
panel-filter_search = Rechercher dans les transcriptions
panel-filter_apply = Afficher
panel-stats_link = Statistiques
panel-stats_title = Statistiques de { $server }
panel-stats_open = Ouverts
panel-stats_pending = En attente d’approbation
panel-stats_server = Tout le serveur
panel-stats_figure = Indicateur
panel-stats_created = Créés
panel-stats_closed = Fermés
panel-stats_first_median = Première réponse, médiane
panel-stats_first_p90 = Première réponse, 90e centile
panel-stats_resolution_median = Résolution, médiane
panel-stats_resolution_p90 = Résolution, 90e centile
panel-stats_rating = Note moyenne
panel-stats_rating_value =
    { $average }/5 ({ $count ->
        [one] une note
       *[other] { $count } notes
    })
panel-stats_note = Créés compte les tickets ouverts pendant la période, dont la première réponse est chronométrée ; Fermés compte les tickets fermés pendant la période, dont la résolution est chronométrée.
panel-stats_chart_title = Tickets créés par jour sur les 30 derniers jours (UTC)
panel-stats_chart_summary =
    { $total ->
        [0] Aucun ticket créé sur ces 30 jours.
        [one] Un ticket créé sur ces 30 jours.
       *[other] { $total } tickets créés sur ces 30 jours, au plus { $max } en un jour.
    }
panel-stats_chart_bar =
    { $day } : { $count ->
        [0] aucun ticket
        [one] un ticket
       *[other] { $count } tickets
    }
panel-stats_chart_day = Jour
panel-stats_chart_count = Tickets créés
panel-stats_staff = Membres du staff
panel-stats_staff_intro = Toute personne ayant pris en charge un ticket, ou fermé un ticket qu’elle n’avait pas ouvert. Pris en charge compte les tickets pris en charge pendant la période ; Fermés, les tickets fermés pendant la période.
panel-stats_staff_member = Membre du staff
panel-stats_claimed_open = Pris en charge et ouverts
panel-stats_claimed = Pris en charge
panel-stats_no_staff = Personne n’a encore pris en charge ni fermé de ticket.
panel-stats_staff_more = Les { $shown } membres du staff les plus actifs sur { $total } sont affichés.
panel-stats_period = Période
panel-state_link = Activer ou désactiver les tickets
panel-state_title = Les tickets sur { $server }
panel-state_on = Les tickets sont activés : les membres peuvent en ouvrir.
panel-state_off = Les tickets sont désactivés : les membres ne peuvent plus en ouvrir ; les tickets ouverts continuent.
panel-state_disable = Désactiver les tickets…
panel-state_confirm = Désactiver les tickets ? Les membres ne pourront plus en ouvrir jusqu’à ce qu’un administrateur les réactive ; les tickets ouverts restent tels quels.
panel-state_cancel = Les garder activés
panel-state_enable = Activer les tickets
panel-state_saved = C’est fait.
panel-state_reset = Effacer la configuration supprime tous les panels, sujets et paramètres, et le bot retire les messages des panels de Discord ; les tickets et les transcriptions sont conservés. /helpline reset fait de même sur le serveur.
panel-setup_link = Installer Helpline, ou le réinstaller
panel-setup_title = Installer Helpline sur { $server }
panel-setup_intro = Helpline crée — ou réutilise — une catégorie pour les tickets, un salon avec le panel d’où les membres ouvrent des tickets et un salon de journal privé pour les transcriptions ; puis il publie le panel. Le bot le fait sur Discord en quelques secondes.
panel-setup_already = Helpline est installé ici : son panel est dans { $channel }. Pour le réinstaller (en réutilisant ce qui existe encore), cochez la case ci-dessous.
panel-setup_panel_channel = Salon du panel
panel-setup_log_channel = Salon de journal (privé : les transcriptions y vont)
panel-setup_category = Catégorie des nouveaux tickets
panel-setup_create = En créer un
panel-setup_language = Langue des messages du serveur
panel-setup_force = Réinstaller par-dessus l’installation actuelle
panel-setup_submit = Installer
panel-setup_asked = C’est demandé. Le bot s’en charge sur Discord ; rechargez cette page pour en voir le résultat ci-dessous.
panel-setup_reset_done = La configuration a été effacée ; le bot retire les messages des panels. Les tickets et les transcriptions sont conservés.
panel-setup_not_set_up = pas encore installé
panel-jobs_title = Modifications récentes sur Discord
panel-job_setup = Installation
panel-job_show_panels = Messages des panels mis à jour
panel-job_remove_messages = Anciens messages de panel retirés
panel-job_pending = en attente du bot (essais échoués jusqu’ici : { $attempts })
panel-job_done = fait
panel-job_failed = échec : Discord a refusé à chaque fois. Rien n’est resté à moitié fait ; réessayez plus tard.
panel-job_refused_already = refusé : Helpline est déjà installé (son panel est dans { $channel }) ; cochez « Réinstaller » pour le réinstaller.
panel-job_refused_wrong_channel = refusé : { $channel } n’est pas un salon du bon type.
panel-job_refused_public_log = refusé : tout le monde peut lire { $channel }, les transcriptions seraient donc publiques. Choisissez un salon privé, ou laissez Helpline en créer un.
panel-job_refused_permissions = refusé : il manque au bot des permissions nécessaires sur ce serveur (Voir les salons, Gérer les salons, Gérer les rôles, Envoyer des messages…). Rendez-les-lui, puis réessayez.
panel-job_refused_not_set_up = refusé : Helpline n’est plus installé sur ce serveur.
panel-job_refused_not_in_guild = refusé : le bot n’est plus sur ce serveur.
panel-panels_link = Panels et sujets
panel-panels_title = Panels et sujets de { $server }
panel-panels_saved = Enregistré. Le bot affiche le changement sur Discord en quelques secondes.
panel-panels_heading = Panels
panel-topics_heading = Sujets
panel-panel_name = Nom
panel-panel_channel = Salon
panel-panel_style = Sujets affichés en
panel-panel_style_buttons = Boutons
panel-panel_style_select = Menu déroulant
panel-panel_title = Titre (vide : celui par défaut)
panel-panel_description = Description (vide : celle par défaut)
panel-panel_copied = Ce panel montre la copie d’un message choisi sur Discord ; choisissez-en un autre là-bas avec « Utiliser comme panel de tickets ».
panel-panel_posted = Publié dans { $channel }
panel-panel_not_posted = Pas encore publié
panel-panel_save = Enregistrer le panel
panel-panel_repost = Le republier
panel-panel_delete = Supprimer…
panel-panel_create = Créer un panel
panel-panel_delete_confirm = Supprimer le panel { $panel } ? Son message est retiré de Discord ; ses sujets restent, et les tickets ouverts continuent.
panel-topic_panels = Proposé sur
panel-topic_default_category = Celle du serveur
panel-topic_category = Catégorie de ses tickets
panel-topic_name = Nom
panel-topic_description = Description
panel-topic_emoji = Émoji
panel-topic_save = Enregistrer le sujet
panel-topic_remove = Retirer…
panel-topic_add = Ajouter un sujet
panel-topic_remove_confirm = Retirer le sujet { $topic } ? Ses tickets restent.
panel-confirm = Oui, le faire
panel-cancel = Annuler
panel-state_reset_title = Effacer la configuration
panel-state_reset_button = Effacer la configuration…
panel-state_reset_confirm = Effacer la configuration de Helpline sur { $server } ? Tous les panels, sujets et paramètres disparaissent, et le bot retire les messages des panels. Les tickets et les transcriptions sont conservés. C’est irréversible.
ui-access-granted = { $user } peut désormais utiliser le panel web pour ce serveur : ses tickets, transcriptions, statistiques et paramètres (les rôles du staff, la conservation et l’installation restent aux administrateurs).
ui-access-already = { $user } a déjà accès au panel web.
ui-access-revoked = { $user } n’a plus accès au panel web.
ui-access-not_granted = { $user } n’avait pas accès au panel web.
ui-access-not_member = { $user } n’est pas membre de ce serveur : seuls ses membres peuvent recevoir l’accès au panel web.
ui-access-bot = Les bots ne peuvent pas recevoir l’accès au panel web.
ui-access-empty = Personne n’a reçu l’accès au panel web sur ce serveur ; ses administrateurs l’ont de toute façon.
ui-access-list = Accès au panel web ({ $count }), en plus des administrateurs :
ui-access-line = { $user }, accordé par { $by } le { $date }
cmd-access-name = acces
cmd-access-description = Donner ou retirer l’accès au panel web
cmd-access-grant-name = donner
cmd-access-grant-description = Donner à un membre l’accès à ce serveur sur le panel web
cmd-access-revoke-name = retirer
cmd-access-revoke-description = Retirer à un membre l’accès au panel web
cmd-access-list-name = liste
cmd-access-list-description = Qui a accès au panel web
cmd-access-user-name = membre
cmd-access-user-description = Le membre
panel-job_line = { $task } : { $outcome }
