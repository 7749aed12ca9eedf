"""培训 tab: training sessions, enrolment, attendance and the backbone track."""
