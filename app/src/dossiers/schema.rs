//! `dossiers.db`'s schema, as numbered migrations (applied like `queue.db`'s). Every table
//! that holds something about a person hangs off `people` with `ON DELETE CASCADE`, so erasing
//! a person is one `DELETE`; the audit log holds ids and action names only, never a name.

pub const MIGRATIONS: &[&str] = &[
    // 1: people, households, consents, cases and their steps, documents, referrals, visits,
    // sealed scans, the hash-chained audit log and the retention purges' reports.
    "CREATE TABLE households (
        id INTEGER PRIMARY KEY,
        douar TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name_ar TEXT,
        name_latin TEXT,
        sex TEXT NOT NULL CHECK (sex IN ('female', 'male')),
        birth_date TEXT,                      -- YYYY, YYYY-MM or YYYY-MM-DD
        nationality TEXT,                     -- ISO 3166 alpha-2; needs a 'sensitive' consent
        profile TEXT NOT NULL CHECK (profile IN ('abroad', 'returnee', 'dependant', 'foreigner')),
        douar TEXT,
        phone TEXT,                           -- digits, '+' for abroad
        languages TEXT NOT NULL DEFAULT '',
        household_id INTEGER REFERENCES households (id) ON DELETE SET NULL,
        relation TEXT,                        -- to the household: head, spouse, child, parent, sibling, other
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_activity TEXT NOT NULL           -- local date, for the retention period
    );
    CREATE INDEX people_by_phone ON people (phone);
    CREATE INDEX people_by_household ON people (household_id);
    CREATE TABLE consents (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        purpose TEXT NOT NULL CHECK (purpose IN ('dossier', 'sensitive', 'referral')),
        method TEXT NOT NULL CHECK (method IN ('oral', 'written')),
        given_on TEXT NOT NULL,
        expires_on TEXT NOT NULL,
        withdrawn_on TEXT,
        recorded_by TEXT NOT NULL
    );
    CREATE INDEX consents_by_person ON consents (person_id);
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        need TEXT NOT NULL,
        procedure_id TEXT,                    -- the reference's procedure, and the version followed
        procedure_version INTEGER,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        outcome TEXT CHECK (outcome IN ('resolved', 'oriented', 'abandoned')),
        opened_on TEXT NOT NULL,
        opened_by TEXT NOT NULL,
        closed_on TEXT,
        follow_up_on TEXT,
        notes TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX cases_by_person ON cases (person_id);
    CREATE INDEX cases_follow_up ON cases (follow_up_on) WHERE status = 'open';
    CREATE TABLE case_steps (
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        done_on TEXT NOT NULL,
        done_by TEXT NOT NULL,
        PRIMARY KEY (case_id, step_id)
    );
    CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        file TEXT NOT NULL UNIQUE,            -- under the data directory's scans/dossiers/
        bytes INTEGER NOT NULL,
        from_ticket INTEGER,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE case_documents (
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        document_id TEXT NOT NULL,
        received_on TEXT NOT NULL,
        scan_id INTEGER REFERENCES scans (id) ON DELETE SET NULL,
        recorded_by TEXT NOT NULL,
        PRIMARY KEY (case_id, document_id)
    );
    CREATE TABLE referrals (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        body_detail TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN ('sent', 'accepted', 'refused', 'done', 'withdrawn')),
        sent_on TEXT NOT NULL,
        sent_by TEXT NOT NULL,
        due_on TEXT NOT NULL,
        answered_on TEXT,
        note TEXT NOT NULL DEFAULT '',        -- the refusal's reason or the counter-referral
        consent_overridden_by TEXT
    );
    CREATE INDEX referrals_by_case ON referrals (case_id);
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        ticket_id INTEGER,                    -- queue.db's ticket
        ticket_number TEXT,
        day TEXT NOT NULL,
        officer TEXT NOT NULL,
        UNIQUE (person_id, ticket_id)
    );
    CREATE INDEX visits_by_ticket ON visits (ticket_id);
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        person_id INTEGER,
        case_id INTEGER,
        detail TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_by_person ON audit (person_id);
    CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE purges (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        retention_years INTEGER NOT NULL,
        people INTEGER NOT NULL,
        cases INTEGER NOT NULL,
        scans INTEGER NOT NULL,
        person_ids TEXT NOT NULL              -- numbers only, for the report
    );",
    // 2: the chain is keyed (HMAC under a key derived from the data key) from the first line
    // written after this; lines from before keep their plain SHA-256 (see `audit`).
    "ALTER TABLE audit ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;",
    // 3: two records of one person merged: the merged-away record stays (its spellings still
    // find the person, an undo restores it) and goes with the kept one when that is erased.
    // `moved` lists, as JSON, the rows that moved, so that an undo moves exactly them back.
    "ALTER TABLE people ADD COLUMN merged_into INTEGER REFERENCES people (id) ON DELETE CASCADE;
    CREATE INDEX people_by_merge ON people (merged_into);
    CREATE TABLE merges (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kept INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        merged INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        reason TEXT NOT NULL,
        moved TEXT NOT NULL,
        undone_at TEXT,
        undone_by TEXT
    );
    CREATE INDEX merges_by_kept ON merges (kept);",
    // 4: the register of visits: what is counted of every visit, with or without a dossier
    // (see `register`). No name: a visit linked to a dossier keeps its person's number, and
    // loses it (`SET NULL`) when the person is erased, so the office's counts stay whole.
    "CREATE TABLE register (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,                    -- local date, YYYY-MM-DD
        channel TEXT NOT NULL CHECK (channel IN ('ticket', 'phone', 'field', 'walk_in')),
        ticket_id INTEGER UNIQUE,             -- queue.db's ticket, for the channel 'ticket'
        service TEXT,                         -- the ticket's service letter
        person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
        sex TEXT NOT NULL CHECK (sex IN ('female', 'male')),
        profile TEXT NOT NULL,
        age_band TEXT NOT NULL,
        nationality TEXT NOT NULL,            -- a group, never a country
        douar TEXT,
        need TEXT NOT NULL,                   -- a procedure of the reference or a broad category
        outcome TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        CHECK ((channel = 'ticket') = (ticket_id IS NOT NULL))
    );
    CREATE INDEX register_by_day ON register (day);",
    // 5: the census of migrant households, counted in the field (souk day), from the
    // commune's monograph or at the desk: counts per household, never a name (see `census`).
    "CREATE TABLE census_households (
        id INTEGER PRIMARY KEY,
        douar TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size BETWEEN 1 AND 60),
        abroad INTEGER NOT NULL DEFAULT 0,     -- members living abroad
        internal INTEGER NOT NULL DEFAULT 0,   -- members living in another Moroccan city
        returnees INTEGER NOT NULL DEFAULT 0,
        foreigners INTEGER NOT NULL DEFAULT 0, -- third-country nationals living in it
        countries TEXT NOT NULL DEFAULT '',    -- ISO codes of the countries of those abroad
        source TEXT NOT NULL CHECK (source IN ('field', 'monograph', 'desk')),
        noted_on TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );",
    // 6: the register counted by month, kept by triggers in the transaction that writes a
    // visit, so that a year's figures read a few thousand counts rather than every visit (see
    // `register::facts`): one row per month, officer, dimension, value and sex, each visit
    // counted once in every dimension. And the desk's visits by person, which the follow-ups
    // kept are read from.
    "CREATE TABLE register_months (
        month TEXT NOT NULL,                  -- YYYY-MM
        recorded_by TEXT NOT NULL,
        dimension TEXT NOT NULL,              -- channel, service, profile, age_band, nationality, douar, need, outcome
        value TEXT NOT NULL,                  -- '' for no service or no douar
        sex TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (month, recorded_by, dimension, value, sex)
    ) WITHOUT ROWID;
    CREATE TRIGGER register_counted AFTER INSERT ON register BEGIN
        INSERT INTO register_months (month, recorded_by, dimension, value, sex, n) VALUES
            (substr(new.day, 1, 7), new.recorded_by, 'channel', new.channel, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'service', coalesce(new.service, ''), new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'profile', new.profile, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'age_band', new.age_band, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'nationality', new.nationality, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'douar', coalesce(new.douar, ''), new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'need', new.need, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'outcome', new.outcome, new.sex, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER register_uncounted AFTER DELETE ON register BEGIN
        UPDATE register_months SET n = n - 1
         WHERE month = substr(old.day, 1, 7) AND recorded_by = old.recorded_by AND sex = old.sex
           AND (dimension, value) IN (VALUES ('channel', old.channel), ('service', coalesce(old.service, '')), ('profile', old.profile), ('age_band', old.age_band), ('nationality', old.nationality), ('douar', coalesce(old.douar, '')), ('need', old.need), ('outcome', old.outcome));
        DELETE FROM register_months
         WHERE month = substr(old.day, 1, 7) AND recorded_by = old.recorded_by AND n <= 0;
    END;
    CREATE TRIGGER register_recounted
    AFTER UPDATE OF day, channel, service, sex, profile, age_band, nationality, douar, need, outcome, recorded_by
    ON register BEGIN
        UPDATE register_months SET n = n - 1
         WHERE month = substr(old.day, 1, 7) AND recorded_by = old.recorded_by AND sex = old.sex
           AND (dimension, value) IN (VALUES ('channel', old.channel), ('service', coalesce(old.service, '')), ('profile', old.profile), ('age_band', old.age_band), ('nationality', old.nationality), ('douar', coalesce(old.douar, '')), ('need', old.need), ('outcome', old.outcome));
        DELETE FROM register_months
         WHERE month = substr(old.day, 1, 7) AND recorded_by = old.recorded_by AND n <= 0;
        INSERT INTO register_months (month, recorded_by, dimension, value, sex, n) VALUES
            (substr(new.day, 1, 7), new.recorded_by, 'channel', new.channel, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'service', coalesce(new.service, ''), new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'profile', new.profile, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'age_band', new.age_band, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'nationality', new.nationality, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'douar', coalesce(new.douar, ''), new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'need', new.need, new.sex, 1),
            (substr(new.day, 1, 7), new.recorded_by, 'outcome', new.outcome, new.sex, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    INSERT INTO register_months (month, recorded_by, dimension, value, sex, n)
        SELECT substr(day, 1, 7), recorded_by, 'channel', channel, sex, count(*) FROM register GROUP BY 1, 2, 4, 5
        UNION ALL SELECT substr(day, 1, 7), recorded_by, 'service', coalesce(service, ''), sex, count(*) FROM register GROUP BY 1, 2, 4, 5
        UNION ALL SELECT substr(day, 1, 7), recorded_by, 'profile', profile, sex, count(*) FROM register GROUP BY 1, 2, 4, 5
        UNION ALL SELECT substr(day, 1, 7), recorded_by, 'age_band', age_band, sex, count(*) FROM register GROUP BY 1, 2, 4, 5
        UNION ALL SELECT substr(day, 1, 7), recorded_by, 'nationality', nationality, sex, count(*) FROM register GROUP BY 1, 2, 4, 5
        UNION ALL SELECT substr(day, 1, 7), recorded_by, 'douar', coalesce(douar, ''), sex, count(*) FROM register GROUP BY 1, 2, 4, 5
        UNION ALL SELECT substr(day, 1, 7), recorded_by, 'need', need, sex, count(*) FROM register GROUP BY 1, 2, 4, 5
        UNION ALL SELECT substr(day, 1, 7), recorded_by, 'outcome', outcome, sex, count(*) FROM register GROUP BY 1, 2, 4, 5;
    CREATE INDEX visits_by_person ON visits (person_id, day);",
    // 7: the list of cases narrowed by officer reads that officer's cases only, and "overdue"
    // looks a case's pending referrals up in an index of those alone (see `case_list`).
    "CREATE INDEX cases_by_officer ON cases (opened_by, status);
    CREATE INDEX referrals_pending ON referrals (case_id, due_on) WHERE state IN ('sent', 'accepted');",
    // 8: where letters reach a person (the papers the office hands out and sends), and the
    // letters printed for a case: the template and the templates' version, who printed it and
    // when (nothing of its text is kept here).
    "ALTER TABLE people ADD COLUMN address TEXT;
    CREATE TABLE case_letters (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        template TEXT NOT NULL,
        version INTEGER NOT NULL,
        language TEXT NOT NULL,
        printed_at TEXT NOT NULL,
        printed_by TEXT NOT NULL
    );
    CREATE INDEX case_letters_by_case ON case_letters (case_id);",
    // 9: the diaspora register: associations, and members (a contact only, or a person with a
    // dossier, erased with it) with where they live, the douar they come from, their skills
    // (one a line) and offers, and the consent they gave to be kept.
    "CREATE TABLE diaspora_associations (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('moroccans_of_the_world', 'third_country_nationals')),
        country TEXT NOT NULL,
        town TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE TABLE diaspora_members (
        id INTEGER PRIMARY KEY,
        person_id INTEGER REFERENCES people (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        phone TEXT NOT NULL,
        country TEXT NOT NULL,
        town TEXT NOT NULL,
        douar TEXT NOT NULL,
        association_id INTEGER REFERENCES diaspora_associations (id) ON DELETE SET NULL,
        skills TEXT NOT NULL,
        sectors TEXT NOT NULL DEFAULT '',     -- the projects' sectors they would help in
        offers TEXT NOT NULL,
        consent_method TEXT NOT NULL CHECK (consent_method IN ('oral', 'written')),
        consent_on TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX diaspora_members_by_person ON diaspora_members (person_id);",
    // 10: what members contribute to the commune's projects (a project is `queue.db`'s, by
    // number), and each step of it: offered, agreed after a meeting, delivered, withdrawn,
    // with the day and what was said. Erased with the member.
    "CREATE TABLE diaspora_contributions (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES diaspora_members (id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('funds', 'in_kind', 'volunteering', 'paid_expertise')),
        amount INTEGER NOT NULL CHECK (amount >= 0),
        what TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('offered', 'agreed', 'delivered', 'withdrawn')),
        recorded_by TEXT NOT NULL
    );
    CREATE INDEX diaspora_contributions_by_project ON diaspora_contributions (project_id);
    CREATE TABLE diaspora_contribution_steps (
        id INTEGER PRIMARY KEY,
        contribution_id INTEGER NOT NULL REFERENCES diaspora_contributions (id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        on_day TEXT NOT NULL,
        note TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );",
];
