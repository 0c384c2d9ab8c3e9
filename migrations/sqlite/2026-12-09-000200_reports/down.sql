DROP TABLE annual_summaries;
DROP INDEX idx_activities_bufdir_report;
DROP TABLE bufdir_reports;
