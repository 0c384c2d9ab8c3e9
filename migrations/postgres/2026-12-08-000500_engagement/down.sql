DROP TABLE import_batches;
DROP TABLE external_resources;
DROP TABLE toolbox_favourites;
DROP TABLE toolbox_cards;
DROP TABLE recruitment_referrals;
DROP TABLE user_badges;
DROP TABLE badges;
DROP TABLE engagement_settings;
