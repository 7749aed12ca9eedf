"""活动排班 tab: activities, shifts, assignments and the calendar."""
