"""A room of phones: a workshop follows the teacher's clock on its own phones, each hold in its own log.

``hipnb room`` (``make workshop``) serves two pages from one process, no kernel:

- **the big screen** (``/screen#token=TEACHER``, opened on the teacher's computer): the routine, its
  setup, the controls and a presentation clicker's keys, the join QR code, how many phones follow
  and who pressed Pain;
- **the phone page** (``/#token=JOIN``, the link in the QR code): a participant types a name (the
  log folder's name gate applies: a near match is offered as "did you mean", a new name is added
  only when the teacher allows new names), then follows the room.

The room's clock is one :class:`hipnb.Timer` on the server (:class:`Room`): the teacher's Start,
Pause, Skip and Pain change it, and every change goes at once to every page on a WebSocket. A page
counts down from what it last heard on its own clock and shows the same step; a phone that joins
late starts at the current step, one that drops and comes back is sent the room as it is now.

The server writes each participant's holds (through the log's face, :class:`hipnb.SessionLog`)
when the room ends a hold, crediting the time that participant's phone followed it: a phone beats
each second while its page runs, and time is credited only while the beats come at most ``grace``
seconds apart (the rule of the notebook's timer), never where the room did not run. A phone whose
network dropped keeps beating into a list and sends it when it is back; its holds wait for it, so a
dropped network loses nothing, while a frozen page (a screen turned off) beats nothing and is
credited nothing. A participant's own Pain ends that hold for them alone (logged with
``pain_at_s``); they rejoin when ready. The teacher's Pain pauses the room.

Tokens: the join token lets a phone join and follow; the teacher token drives the room. Both are
made here, travel in link fragments (never sent by a browser) and go in a header or the socket's
first message; the server's log lines never hold them.
"""

from hipnb.room.clock import ACTIONS, Participant, Room
from hipnb.room.server import RoomServer, run

__all__ = ["ACTIONS", "Participant", "Room", "RoomServer", "run"]
